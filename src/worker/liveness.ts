/**
 * Whether a socket with the `heartbeat` capability is still alive, checked when it matters
 * (a frame to it, a roster request, an identify for its name) instead of by waking the room
 * up: the runtime answers heartbeats without waking the room and keeps the time of the last
 * one, so a room can sleep while its clients heartbeat, and still tell a dead socket from a
 * live one the moment someone needs to know. The room's sweep uses the same deadline.
 *
 * @module
 */

import { Capability } from "../protocol/index.js";
import { has, type Session } from "./session.js";

/**
 * When a socket's heartbeats will have been silent for `timeoutMs` (`Infinity` for a socket
 * without the capability): its last heartbeat, or its identify when it has sent none yet.
 */
export function heartbeatDeadline(
  session: Session,
  lastHeartbeat: number | undefined,
  timeoutMs: number,
): number {
  if (!has(session, Capability.heartbeat)) return Number.POSITIVE_INFINITY;
  return Math.max(lastHeartbeat ?? 0, session.identifiedAt) + timeoutMs;
}

/** Tells live sockets from dead ones, looking at the heartbeat time at most once per timeout. */
export class Liveness<S extends object> {
  /** Until when each socket is known to be alive (`Infinity`: it does not heartbeat). */
  readonly #aliveUntil = new Map<S, number>();
  readonly #sessionOf: (socket: S) => Session | undefined;
  readonly #timeoutMs: number;
  /** When the runtime last answered a heartbeat of `socket`, if ever (ms since 1970). */
  readonly lastHeartbeat: (socket: S) => number | undefined;

  /**
   * @param sessionOf - The socket's session, if the room knows it.
   * @param lastHeartbeat - When the runtime last answered a heartbeat of the socket, if ever.
   * @param timeoutMs - Silence after which a heartbeating socket is dead (`heartbeatTimeoutMs`).
   */
  constructor(
    sessionOf: (socket: S) => Session | undefined,
    lastHeartbeat: (socket: S) => number | undefined,
    timeoutMs: number,
  ) {
    this.#sessionOf = sessionOf;
    this.lastHeartbeat = lastHeartbeat;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * True when `socket` heartbeats and has been silent for `heartbeatTimeoutMs` by `now`. Costs
   * one map look-up while the socket is known to be alive.
   */
  isDead(socket: S, now: number): boolean {
    const until = this.#aliveUntil.get(socket);
    if (until !== undefined && until > now) return false;
    const session = this.#sessionOf(socket);
    if (session === undefined) return false;
    const deadline = heartbeatDeadline(session, this.lastHeartbeat(socket), this.#timeoutMs);
    if (deadline > now) {
      this.#aliveUntil.set(socket, deadline);
      return false;
    }
    this.#aliveUntil.delete(socket);
    return true;
  }

  /** Forgets what is known of `socket` (it closed, or it identified again). */
  forget(socket: S): void {
    this.#aliveUntil.delete(socket);
  }
}
