/**
 * What the plain handler functions read: their room ({@link RoomContext}, built once per
 * room) and the event they handle ({@link SocketEvent}, built once per event), and the
 * small acts every handler needs (report, afford, close, the handshake).
 *
 * @module
 */

import type { ErrorCodeName } from "wscomsrv-protocol";
import {
  ErrorCode,
  errorFrame,
  type FrameRef,
  identifyRequest,
  type Limits,
  setTime,
} from "wscomsrv-protocol";
import type { AckLines } from "./acks.js";
import type { CallStore } from "./call-store.js";
import type { Connections, Socket } from "./connections.js";
import type { Liveness } from "./liveness.js";
import type { Mail } from "./mail.js";
import type { NameStore } from "./name-store.js";
import type { Outbox } from "./outbox.js";
import type { Presence } from "./presence.js";
import type { FailureBudget, RateLimiter } from "./rate-limit.js";
import { has, type Session } from "./session.js";

/** One room, as the handlers see it. */
export interface RoomContext<S extends Socket = Socket> {
  /** The room's name, for logs. */
  readonly name: string;
  /** The room's epoch in seconds since 1970. */
  readonly epoch: number;
  /** The room password, or `undefined` for an open room. */
  readonly password: string | undefined;
  /** The limits in force. */
  readonly limits: Limits;
  /** The sockets and their names. */
  readonly connections: Connections<S>;
  /** Per-name state in durable storage. */
  readonly names: NameStore;
  /** The mail of names with `delivery`: numbered, kept until confirmed, kept while away. */
  readonly mail: Mail<S>;
  /** The acks that wait until their frames are safe (see `acks.ts`). */
  readonly acks: AckLines<S>;
  /** The roster: who is here, who is away, and the changes to tell. */
  readonly presence: Presence<S>;
  /** The calls waiting for a reply, in durable storage. */
  readonly calls: CallStore;
  /** The per-socket frame rate limit. */
  readonly rateLimiter: RateLimiter;
  /** What the room sends during the current event. */
  readonly outbox: Outbox<S>;
  /** Asks for a sweep, by `deadline` (ms since 1970), of sockets that may expire then. */
  readonly scheduleSweep: (deadline: number) => void;
  /** The two handshake frames, serialised once. */
  readonly handshake: readonly [string, string];
  /**
   * Which heartbeating sockets are dead (closing them with 4011 when found), and when each
   * last had a heartbeat answered.
   */
  readonly liveness: Liveness<S>;
  /** Wrong passwords the room still takes, from all sockets together. */
  readonly passwordFailures: FailureBudget;
}

/**
 * One event on one socket (a frame it sent, its connection, the end of its wait for a name),
 * as every handler of it reads it. The Room builds it once per event and hands it over; a
 * handler that acts on another socket (a name's holder) passes that socket alongside.
 */
export interface SocketEvent<S extends Socket = Socket> {
  /** The room. */
  readonly room: RoomContext<S>;
  /** The socket the event is about. */
  readonly socket: S;
  /** Its session (the object the room keeps: changes to it are the room's). */
  readonly session: Session;
  /** The time of the event, read once (ms since 1970). */
  readonly now: number;
}

/** An event on a socket that holds a name. */
export type IdentifiedEvent<S extends Socket = Socket> = SocketEvent<S> & {
  readonly session: Session & { name: string };
};

/** True when the event's socket holds a name. */
export function isIdentified<S extends Socket>(event: SocketEvent<S>): event is IdentifiedEvent<S> {
  return event.session.name !== undefined;
}

/**
 * Whether the current event may still make `deliveries` deliveries of `chars` characters in
 * all (see {@link Outbox.admit}); when it may not, the sender is told with `COST_LIMIT`, and
 * the caller sends nothing.
 *
 * @param ref - The offending frame's reference, or a function that builds it: a routed frame
 *   passes `() => refOf(fields)`, so that the reference is built only for the report, not for
 *   every frame that passes.
 */
export function afford<S extends Socket>(
  event: SocketEvent<S>,
  deliveries: number,
  chars: number,
  ref: FrameRef | (() => FrameRef),
): boolean {
  const { room } = event;
  if (room.outbox.admit(deliveries, chars)) return true;
  const { maxEventDeliveries, maxEventBytes } = room.limits;
  report(event, {
    code: ErrorCode.costLimit,
    message: `delivered to no one: one event may cause at most ${maxEventDeliveries} deliveries and ${maxEventBytes} characters out, and this frame (${deliveries} deliveries, ${chars} characters) would pass them; send fewer frames at once, or to fewer recipients`,
    ref: typeof ref === "function" ? ref() : ref,
  });
  return false;
}

/** Builds the serialised handshake of a room. */
export function handshakeFrames(requiresPassword: boolean, epoch: number): [string, string] {
  return [JSON.stringify(identifyRequest(requiresPassword)), JSON.stringify(setTime(epoch))];
}

/**
 * Retires `socket` at once (its name is free, and frames it still sends are ignored) and
 * queues its close, after the frames queued for it.
 */
export function close<S extends Socket>(
  room: RoomContext<S>,
  socket: S,
  code: number,
  reason: string,
): void {
  room.connections.retire(socket);
  room.outbox.close(socket, code, reason);
}

/** Queues both handshake frames for the event's socket. */
export function sendHandshake<S extends Socket>({ room, socket }: SocketEvent<S>): void {
  room.outbox.send(socket, room.handshake[0]);
  room.outbox.send(socket, room.handshake[1]);
}

/** An error to report to a client. */
export interface Report {
  /** The stable code. */
  code: ErrorCodeName;
  /** A sentence. */
  message: string;
  /** The offending frame. */
  ref: FrameRef;
  /** For `UNDELIVERED`: the missing targets. */
  targets?: string[];
}

/**
 * Sends an error frame to the event's client when it asked for them (the `errors`
 * capability, or `undelivered` for `UNDELIVERED` reports). Other clients get nothing, as with
 * the seed.
 *
 * @param reportTo - The session to report as (default: the event's); an identify reports its
 *   refusals under the name and capabilities it asked for.
 */
export function report<S extends Socket>(
  event: SocketEvent<S>,
  error: Report,
  reportTo: Session = event.session,
): void {
  const name = reportTo.name;
  if (name === undefined) return;
  if (!has(reportTo, "errors") && !(error.targets !== undefined && has(reportTo, "undelivered"))) {
    return;
  }
  event.room.outbox.send(event.socket, JSON.stringify(errorFrame(name, error)));
}
