/**
 * Calls (capability `calls`): a command with a `call` id from one client to exactly one other,
 * answered by a `reply` with the same id. The room checks the call, refuses at once what its
 * target cannot answer (with its own `reply`), and keeps each pending call in SQLite (table
 * `calls`), so that a room that hibernates between a call and its reply still routes the
 * reply, and still tells the caller when the target leaves first (the table is
 * `call-store.ts`'s). Calls and replies ride as ordinary frames of the event, never as mail.
 *
 * @module
 */

import {
  CallCode,
  type CallCodeName,
  Capability,
  callIdOf,
  type DecodedFrame,
  type DeliveryFields,
  ErrorCode,
  EVERYONE,
  FrameType,
  isCommand,
  refOf,
  relayReplyText,
  SERVER,
} from "wscomsrv-protocol";
import type { Socket } from "./connections.js";
import { afford, type IdentifiedEvent, type RoomContext, report } from "./context.js";
import { deliverTo, NO_DELIVERY_FIELDS, RelayedText } from "./deliver.js";
import { has } from "./session.js";

/**
 * Takes a frame with a `call` field from a client with the `calls` capability: a call (a
 * command to exactly one name, which must be held by a client with `calls`) or the `reply` to
 * one. A call the room refuses is answered with the room's own `reply` (`BAD_CALL`,
 * `TARGET_NOT_CONNECTED`, `TARGET_CANNOT_REPLY`) and delivered to no one. A reply goes to its
 * caller only when the room waits for it from its sender; any other reply is dropped.
 *
 * @returns false when the frame has no `call` field (it is routed as any frame).
 * @example
 * ```ts
 * if (has(event.session, Capability.calls) && routeCall(event, frame)) return;
 * ```
 */
export function routeCall<S extends Socket>(
  event: IdentifiedEvent<S>,
  frame: DecodedFrame,
  delivery: Readonly<DeliveryFields> = NO_DELIVERY_FIELDS,
): boolean {
  const call = callIdOf(frame.fields);
  if (call === undefined) return false;
  if (typeof call !== "string") {
    report(event, { code: ErrorCode.badEnvelope, message: call.problem, ref: refOf(frame.fields) });
  } else if (frame.envelope.type === FrameType.reply) {
    deliverReply(event, frame, call, delivery);
  } else if (!delivery.resent) {
    // A call sent again after its caller's connection broke: the caller gave up on it then.
    placeCall(event, frame, call, delivery);
  }
  return true;
}

/** Sends the caller of the event the room's own reply to its call `call`. */
function refuse<S extends Socket>(
  { room, socket, session }: IdentifiedEvent<S>,
  call: string,
  code: CallCodeName,
  message: string,
): void {
  room.outbox.send(socket, relayReplyText(session.name, call, code, message));
}

function placeCall<S extends Socket>(
  event: IdentifiedEvent<S>,
  { envelope, fields }: DecodedFrame,
  call: string,
  delivery: Readonly<DeliveryFields>,
): void {
  const { room, session, now } = event;
  const [target] = envelope.target;
  if (
    !isCommand(envelope) ||
    target === undefined ||
    envelope.target.length !== 1 ||
    target === SERVER ||
    target === EVERYONE
  ) {
    refuse(
      event,
      call,
      CallCode.badCall,
      `a call must be a command (type "${FrameType.command}") to exactly one client name, not "${SERVER}" or "${EVERYONE}"`,
    );
    return;
  }
  const socket = room.connections.byName(target);
  if (socket === undefined || room.liveness.closeIfDead(socket, now)) {
    refuse(event, call, CallCode.targetNotConnected, `no client is called ${target}`);
    return;
  }
  const callee = room.connections.find(socket);
  if (callee === undefined || !has(callee, Capability.calls)) {
    refuse(
      event,
      call,
      CallCode.targetCannotReply,
      `${target} did not ask for the calls capability, so it cannot reply`,
    );
    return;
  }
  fields.from = session.name; // the decoded object is the room's own: stamp it in place
  const text = new RelayedText(event, fields).for(socket);
  if (!afford(event, 1, text.length, () => refOf(fields))) return;
  // A peer frame like any other: numbered mail for a callee with `delivery`.
  if (deliverTo(event, socket, text, delivery) === "overflow") {
    refuse(event, call, CallCode.targetCannotReply, `${target}'s mail is full`);
    return;
  }
  room.calls.add(target, session.name, call, now);
}

function deliverReply<S extends Socket>(
  event: IdentifiedEvent<S>,
  { envelope, fields }: DecodedFrame,
  call: string,
  delivery: Readonly<DeliveryFields>,
): void {
  const { room, session } = event;
  const [caller] = envelope.target;
  if (caller === undefined || envelope.target.length !== 1) return;
  const socket = room.connections.byName(caller);
  if (socket === undefined) {
    // Answered: the row goes even when its caller is away (a caller that left has none).
    room.calls.take(session.name, caller, call);
    return;
  }
  fields.from = session.name;
  const text = new RelayedText(event, fields).for(socket);
  if (!afford(event, 1, text.length, () => refOf(fields))) return;
  if (room.calls.take(session.name, caller, call)) deliverTo(event, socket, text, delivery);
}

/**
 * The calls' part of a leave: every call pending to `name` is answered by the room with
 * `TARGET_LEFT` (to callers still here), and the calls `name` made are forgotten (their
 * replies will find no caller).
 *
 * @example
 * ```ts
 * leaveCalls(room, "dev");
 * ```
 */
export function leaveCalls<S extends Socket>(room: RoomContext<S>, name: string): void {
  for (const { caller, call } of room.calls.takeAllTo(name)) {
    const socket = room.connections.byName(caller);
    if (socket === undefined) continue;
    room.outbox.send(
      socket,
      relayReplyText(caller, call, CallCode.targetLeft, `${name} left before it replied`),
    );
  }
  room.calls.dropFrom(name);
}
