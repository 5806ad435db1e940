/**
 * Whether a socket with the `heartbeat` capability is still alive, checked when it matters
 * (a frame to it, a roster request, an identify for its name) instead of by waking the room
 * up: the runtime answers heartbeats without waking the room and keeps the time of the last
 * one, so a room can sleep while its clients heartbeat, and still tell a dead socket from a
 * live one the moment someone needs to know.
 *
 * @module
 */

import { Capability } from "../protocol/index.js";
import { has, type Session } from "./session.js";

/** Tells live sockets from dead ones, looking at the heartbeat time at most once per timeout. */
export class Liveness<S extends object> {
  /** Until when each socket is known to be alive (`Infinity`: it does not heartbeat). */
  readonly #aliveUntil = new Map<S, number>();
  readonly #lastHeartbeat: (socket: S) => number | undefined;
  readonly #timeoutMs: number;

  /**
   * @param lastHeartbeat - When the runtime last answered a heartbeat of the socket, if ever.
   * @param timeoutMs - Silence after which a heartbeating socket is dead (`heartbeatTimeoutMs`).
   */
  constructor(lastHeartbeat: (socket: S) => number | undefined, timeoutMs: number) {
    this.#lastHeartbeat = lastHeartbeat;
    this.#timeoutMs = timeoutMs;
  }

  /** When `socket`'s heartbeats will have been silent for too long (`Infinity`: never). */
  deadline(socket: S, session: Session): number {
    if (!has(session, Capability.heartbeat)) return Number.POSITIVE_INFINITY;
    const last = Math.max(this.#lastHeartbeat(socket) ?? 0, session.identifiedAt);
    return last + this.#timeoutMs;
  }

  /**
   * True when `socket` heartbeats and has been silent for `heartbeatTimeoutMs` by `now`. Costs
   * one map look-up while the socket is known to be alive.
   */
  isDead(socket: S, session: Session | undefined, now: number): boolean {
    const until = this.#aliveUntil.get(socket);
    if (until !== undefined && until > now) return false;
    if (session === undefined) return false;
    const deadline = this.deadline(socket, session);
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
