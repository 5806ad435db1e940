/**
 * Whether a socket with the `heartbeat` capability is still alive, checked when it matters
 * (a frame to it, a roster request, an identify for its name) instead of by waking the room
 * up: the runtime answers heartbeats without waking the room and keeps the time of the last
 * one, so a room can sleep while its clients heartbeat, and still tell a dead socket from a
 * live one the moment someone needs to know. The room's sweep uses the same deadline.
 *
 * @module
 */

import { Capability } from "wscomsrv-protocol";
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

const NONE: readonly never[] = Object.freeze([]);

/** What {@link Liveness} needs from its room. */
export interface LivenessRoom<S> {
  /** Every socket the room knows, with its session. */
  readonly sessions: () => Iterable<[S, Session]>;
  /** When the runtime last answered a heartbeat of the socket, if ever (ms since 1970). */
  readonly lastHeartbeat: (socket: S) => number | undefined;
  /** Silence after which a heartbeating socket is dead (`heartbeatTimeoutMs`). */
  readonly timeoutMs: number;
  /** Closes a socket found dead (and frees its name). */
  readonly onDead: (socket: S) => void;
}

/**
 * Tells live sockets from dead ones. It keeps one number, the earliest time any heartbeating
 * socket could be dead; until then a check costs one comparison. Past it, one pass over the
 * sockets closes those that are dead and finds the next such time (at least the heartbeat
 * timeout minus the heartbeat interval later while clients heartbeat).
 */
export class Liveness<S extends object> {
  /** No heartbeating socket can be dead before this (ms since 1970); -Infinity: not known. */
  #earliest = Number.NEGATIVE_INFINITY;
  readonly #sessions: () => Iterable<[S, Session]>;
  readonly #onDead: (socket: S) => void;
  readonly #timeoutMs: number;
  /** When the runtime last answered a heartbeat of `socket`, if ever (ms since 1970). */
  readonly lastHeartbeat: (socket: S) => number | undefined;

  /** Watches the sockets `room` gives, closing dead ones with its `onDead`. */
  constructor(room: LivenessRoom<S>) {
    this.#sessions = room.sessions;
    this.lastHeartbeat = room.lastHeartbeat;
    this.#timeoutMs = room.timeoutMs;
    this.#onDead = room.onDead;
  }

  /**
   * Closes every heartbeating socket that has been silent for `heartbeatTimeoutMs` by `now`.
   * Costs one comparison until one of them could be.
   *
   * @returns the sockets it closed.
   */
  closeDead(now: number): readonly S[] {
    if (now < this.#earliest) return NONE;
    const dead: S[] = [];
    let earliest = Number.POSITIVE_INFINITY;
    for (const [socket, session] of this.#sessions()) {
      if (session.name === undefined) continue;
      const deadline = heartbeatDeadline(session, this.lastHeartbeat(socket), this.#timeoutMs);
      if (deadline <= now) dead.push(socket);
      else if (deadline < earliest) earliest = deadline;
    }
    this.#earliest = earliest;
    for (const socket of dead) this.#onDead(socket);
    return dead;
  }

  /** True when `socket` was found dead by `now`, and closed (see {@link closeDead}). */
  closeIfDead(socket: S, now: number): boolean {
    return now >= this.#earliest && this.closeDead(now).includes(socket);
  }

  /** Notes that a socket that just identified with heartbeats is alive until `until`. */
  aliveUntil(until: number): void {
    if (until < this.#earliest) this.#earliest = until;
  }
}
