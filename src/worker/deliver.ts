/**
 * What the room does with a peer frame for one name (capabilities `delivery` and
 * `receipts`): sent as numbered mail to a socket that confirms, sent as it is to one that
 * does not, kept for a name that is away, or refused over the bounds; and the receipts that
 * tell the sender, now and when the name confirms, or when its mail expires.
 *
 * @module
 */

import {
  Capability,
  type DeliveryFields,
  mailText,
  type ReceiptData,
  type ReceiptStatus,
  receiptText,
} from "wscomsrv-protocol";
import type { Socket } from "./connections.js";
import type { IdentifiedEvent, RoomContext, SocketEvent } from "./context.js";
import type { ReceiptRef } from "./mail-store.js";
import { has, type Session } from "./session.js";

/** What a frame from a client without `delivery` or `receipts` says: nothing. */
export const NO_DELIVERY_FIELDS: Readonly<DeliveryFields> = Object.freeze({
  sid: undefined,
  seq: undefined,
  receipt: false,
  resent: false,
});

/** True when a session's client sends again what the room did not ack. */
function resends(session: Session): boolean {
  return has(session, Capability.acks) && has(session, Capability.delivery);
}

/** True when the room reads a session's frames' delivery fields (`sid`, `seq`, ...). */
export function readsDeliveryFields(session: Session): boolean {
  return has(session, Capability.delivery) || has(session, Capability.receipts);
}

function receiptRef(sender: string, fields: DeliveryFields): ReceiptRef | undefined {
  return fields.receipt && fields.sid !== undefined && fields.seq !== undefined
    ? [sender, fields.sid, fields.seq]
    : undefined;
}

/**
 * Sends the event's peer frame `text` to `recipient`: numbered and kept until confirmed when
 * the recipient takes mail; as it is otherwise, except a resend, which only a recipient that
 * drops duplicates gets.
 *
 * @returns the recipient's status for a receipt.
 */
export function deliverTo<S extends Socket>(
  event: IdentifiedEvent<S>,
  recipient: S,
  text: string,
  fields: Readonly<DeliveryFields>,
): ReceiptStatus {
  const { room } = event;
  const name = room.mail.liveName(recipient);
  if (name === undefined) {
    if (fields.resent) return "uncertain";
    room.outbox.send(recipient, text, "peer");
    return "delivered";
  }
  const receipt = receiptRef(event.session.name, fields);
  // A sender that sends again what the room did not ack (`acks` and `delivery`): its frame is
  // kept in memory, and its ack waits until the recipient confirms it or the room writes it.
  // Any other sender's frame is written before it is sent: nobody could send it again.
  const ticket = resends(event.session) ? room.acks.ticketFor(event) : undefined;
  if (!room.mail.reserve(name, text, receipt, ticket)) return "overflow";
  room.outbox.send(recipient, text, "peer");
  return "sent";
}

/**
 * Keeps the event's peer frame `text` for `name`, which is away and whose mail the room
 * keeps (see `Mail.keepsFor`).
 *
 * @returns `"stored"`, or `"overflow"` over the bounds.
 */
export function keepFor<S extends Socket>(
  event: IdentifiedEvent<S>,
  name: string,
  text: string,
  fields: Readonly<DeliveryFields>,
): ReceiptStatus {
  const receipt = receiptRef(event.session.name, fields);
  return event.room.mail.reserve(name, text, receipt, undefined) ? "stored" : "overflow";
}

/**
 * Sends a receipt to `sender` when it is here and asked for receipts. A sender that is away
 * gets it when it is back, if the room keeps its mail (it has `delivery`), within the window;
 * otherwise the receipt is lost with the sender's connection.
 */
export function sendReceipt<S extends Socket>(
  room: RoomContext<S>,
  sender: string,
  data: ReceiptData,
  now = Date.now(),
): void {
  const socket = room.connections.byName(sender);
  if (socket === undefined) {
    if (room.mail.keepsFor(sender, now)) room.mail.holdReceipt(sender, receiptText(sender, data));
    return;
  }
  const session = room.connections.find(socket);
  if (session === undefined || !has(session, Capability.receipts)) return;
  room.outbox.send(socket, receiptText(sender, data));
}

/** Tells the senders of `receipts` what became of their frames for `name`. */
export function settle<S extends Socket>(
  room: RoomContext<S>,
  name: string,
  receipts: readonly ReceiptRef[],
  status: ReceiptStatus,
): void {
  for (const [sender, sid, seq] of receipts) {
    sendReceipt(room, sender, { sid, seq, status: { [name]: status } });
  }
}

/** The event's client, holding `name` with `delivery`, handled its mail up to `through`. */
export function confirmMail<S extends Socket>(event: IdentifiedEvent<S>, through: number): void {
  const { room, socket } = event;
  const name = room.mail.liveName(socket);
  if (name === undefined) return;
  settle(room, name, room.mail.confirm(name, through), "confirmed");
}

/**
 * The event's socket took `name` with `delivery`: it takes the name's mail from now on, and
 * a proven owner gets the receipts kept for it, then every frame kept for it again, in order,
 * each event's after its `mail` frame.
 *
 * @returns how many frames the name missed since it was last told.
 */
export function takeMail<S extends Socket>(
  { room, socket }: SocketEvent<S>,
  name: string,
  proven: boolean,
): { missed: number; replay: () => void } {
  const { rows, receipts, missed } = room.mail.hold(socket, name, proven);
  return {
    missed,
    replay: () => {
      for (const text of receipts) room.outbox.send(socket, text);
      for (const row of rows) {
        room.outbox.send(socket, mailText(name, row.first, row.count));
        for (const text of row.texts) room.outbox.send(socket, text);
      }
    },
  };
}

/**
 * Drops the mail of names away for longer than the window, telling their senders that asked
 * (`expired`).
 *
 * @returns when the next name's window ends, if any name is away.
 */
export function expireMail<S extends Socket>(
  room: RoomContext<S>,
  now: number,
): number | undefined {
  for (const { name, receipts } of room.mail.expire(now)) {
    settle(room, name, receipts, "expired");
  }
  return room.mail.nextExpiry();
}
