/**
 * What the plain handler functions need to know about their room.
 *
 * @module
 */

import type { ErrorCodeName } from "../protocol/index.js";
import {
  errorFrame,
  type FrameRef,
  identifyRequest,
  type Limits,
  setTime,
} from "../protocol/index.js";
import type { Connections, Socket } from "./connections.js";
import type { NameStore } from "./name-store.js";
import type { RateLimiter } from "./rate-limit.js";
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
  /** The per-socket frame rate limit. */
  readonly rateLimiter: RateLimiter;
  /** Asks for a sweep, by `deadline` (ms since 1970), of sockets that may expire then. */
  readonly scheduleSweep: (deadline: number) => void;
  /** The two handshake frames, serialised once. */
  readonly handshake: readonly [string, string];
}

/** Builds the serialised handshake of a room. */
export function handshakeFrames(requiresPassword: boolean, epoch: number): [string, string] {
  return [JSON.stringify(identifyRequest(requiresPassword)), JSON.stringify(setTime(epoch))];
}

/** Sends a frame, ignoring a socket that is already closing. */
export function send(socket: Socket, text: string): void {
  try {
    socket.send(text);
  } catch {
    // The socket closed under us; its close handler cleans up.
  }
}

/** Closes a socket, ignoring one that is already closed. */
export function close(socket: Socket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Already closed.
  }
}

/** Sends both handshake frames. */
export function sendHandshake(room: RoomContext, socket: Socket): void {
  send(socket, room.handshake[0]);
  send(socket, room.handshake[1]);
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
 * Sends an error frame to a client that asked for them (the `errors` capability, or
 * `undelivered` for `UNDELIVERED` reports). Other clients get nothing, as with the seed.
 */
export function report(socket: Socket, session: Session, error: Report): void {
  const name = session.name;
  if (name === undefined) return;
  if (!has(session, "errors") && !(error.targets !== undefined && has(session, "undelivered"))) {
    return;
  }
  send(socket, JSON.stringify(errorFrame(name, error)));
}
