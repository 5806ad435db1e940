/**
 * Routing: who gets a frame from an identified client.
 *
 * @module
 */

import {
  Capability,
  type DecodedFrame,
  type DeliveryFields,
  decodeDeliveryFields,
  ErrorCode,
  EVERYONE,
  isCommand,
  type ReceiptStatus,
  refOf,
  SERVER,
} from "wscomsrv-protocol";
import { routeCall } from "./calls.js";
import type { Socket } from "./connections.js";
import { afford, type IdentifiedEvent, report, type SocketEvent } from "./context.js";
import {
  deliverTo,
  keepFor,
  NO_DELIVERY_FIELDS,
  RelayedText,
  readsDeliveryFields,
  sendReceipt,
} from "./deliver.js";
import { runServerCommand } from "./server-commands.js";
import { has } from "./session.js";

/** Where a frame goes: the sockets, the names that were not there, and the relay itself. */
export interface Delivery<S> {
  /** Sockets to deliver to, each once. */
  recipients: Set<S>;
  /** Named targets not connected, each once, in the order given. */
  missing: string[];
  /** True when `"server"` was a target. */
  toServer: boolean;
}

/**
 * Resolves the target list of a frame the event's socket sent: whole-name matches; `"*"` is
 * every identified client but the sender; `"server"` is the relay. Repeated names, and
 * repeated `"*"`, count once, so a list's cost is one walk of the room at most plus one
 * look-up per entry. A recipient that the room's liveness finds dead by the event's time
 * (and closes) counts as missing.
 */
export function resolveTargets<S extends Socket>(
  { room, socket: sender, now }: SocketEvent<S>,
  targets: readonly string[],
): Delivery<S> {
  const { connections, liveness } = room;
  const recipients = new Set<S>();
  const missing: string[] = [];
  let toServer = false;
  let everyone = false;
  for (const target of targets) {
    if (target === SERVER) {
      toServer = true;
    } else if (target === EVERYONE) {
      everyone = true;
    } else {
      const socket = connections.byName(target);
      if (socket !== undefined && !liveness.closeIfDead(socket, now)) recipients.add(socket);
      else if (!missing.includes(target)) missing.push(target);
    }
  }
  if (everyone) {
    for (const [, socket] of connections.identified()) {
      if (socket !== sender && !liveness.closeIfDead(socket, now)) recipients.add(socket);
    }
  }
  return { recipients, missing, toServer };
}

/**
 * Routes a decoded frame from an identified client: runs it as a server command when
 * `"server"` is a target, delivers it to every other target with `from` set to the sender's
 * name (as numbered mail to those that take it, see `deliver.ts`), keeps it for named targets
 * that are away and whose mail the room keeps, reports the targets that were not connected,
 * and answers a sender that asked for a receipt with the status of every target.
 */
export function route<S extends Socket>(event: IdentifiedEvent<S>, frame: DecodedFrame): void {
  const { room, session } = event;
  const { envelope, fields } = frame;
  let delivery = NO_DELIVERY_FIELDS;
  if (readsDeliveryFields(session)) {
    const decoded = decodeDeliveryFields(fields);
    if (typeof decoded === "string") {
      report(event, { code: ErrorCode.badEnvelope, message: decoded, ref: refOf(fields) });
      return;
    }
    delivery = decoded;
  }
  const statuses: Record<string, ReceiptStatus> | undefined =
    delivery.receipt && has(session, Capability.receipts) ? {} : undefined;
  if (has(session, Capability.calls) && routeCall(event, frame, delivery)) return;
  // A walk of the whole room is paid for before it is made.
  if (
    envelope.target.includes(EVERYONE) &&
    !afford(event, room.connections.size - 1, 0, () => refOf(fields))
  ) {
    refuseReceipt(event, delivery, envelope.target, ErrorCode.costLimit);
    return;
  }
  const targets = resolveTargets(event, envelope.target);
  if (targets.toServer) {
    if (isCommand(envelope)) {
      runServerCommand(event, envelope, refOf(fields));
    } else {
      report(event, {
        code: ErrorCode.notACommand,
        message: `only commands (type "cmd") can be sent to "${SERVER}"`,
        ref: refOf(fields),
      });
    }
  }
  if (targets.recipients.size === 0 && targets.missing.length === 0) return;
  fields.from = session.name; // the decoded object is the room's own: stamp it in place
  const texts = new RelayedText(event, fields);
  const text = texts.plain;
  if (targets.recipients.size > 0) {
    const count = targets.recipients.size;
    if (!afford(event, count, texts.chars(targets.recipients), () => refOf(fields))) {
      refuseReceipt(event, delivery, envelope.target, ErrorCode.costLimit);
      return;
    }
    for (const recipient of targets.recipients) {
      const status = deliverTo(event, recipient, texts.for(recipient), delivery);
      if (statuses !== undefined) {
        const name = room.connections.find(recipient)?.name;
        if (name !== undefined) statuses[name] = status;
      }
    }
  }
  let missing = targets.missing;
  if (missing.length > 0) {
    const unknown: string[] = [];
    for (const name of missing) {
      const status = room.mail.keepsFor(name, event.now)
        ? keepFor(event, name, text, delivery)
        : "unknown";
      if (status === "unknown") unknown.push(name);
      if (statuses !== undefined) statuses[name] = status;
    }
    missing = unknown;
  }
  if (missing.length > 0) {
    report(event, {
      code: ErrorCode.undelivered,
      message: `not connected: ${missing.join(", ").slice(0, 200)}`,
      ref: refOf(fields),
      targets: missing,
    });
  }
  if (statuses !== undefined && delivery.sid !== undefined && delivery.seq !== undefined) {
    sendReceipt(room, session.name, { sid: delivery.sid, seq: delivery.seq, status: statuses });
  }
}

/** Answers a sender that asked for a receipt: every named target `refused`, with `code`. */
function refuseReceipt<S extends Socket>(
  event: IdentifiedEvent<S>,
  delivery: Readonly<DeliveryFields>,
  targets: readonly string[],
  code: string,
): void {
  const { sid, seq } = delivery;
  if (!delivery.receipt || sid === undefined || seq === undefined) return;
  const status: Record<string, ReceiptStatus> = {};
  for (const target of targets) {
    if (target !== SERVER && target !== EVERYONE) status[target] = "refused";
  }
  sendReceipt(event.room, event.session.name, { sid, seq, status, code });
}
