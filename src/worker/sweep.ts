/**
 * The room's sweep: sockets that did not identify in time, and sockets whose heartbeats
 * stopped. A plain function over the sessions, run from the Durable Object's alarm.
 *
 * @module
 */

import { Capability, type Limits } from "../protocol/index.js";
import { has, type Session } from "./session.js";

/** What a sweep found. */
export interface SweepResult<S> {
  /** Sockets that did not identify within `identifyTimeoutMs`. */
  unidentified: S[];
  /** Sockets with the heartbeat capability that went quiet for `heartbeatTimeoutMs`. */
  silent: S[];
  /** When the next socket could expire (milliseconds since 1970), if any can. */
  next: number | undefined;
}

/**
 * Finds the sockets that expired by `now`.
 *
 * @param sessions - Every socket with its session.
 * @param lastHeartbeat - When the runtime last answered a heartbeat of the socket, if ever.
 */
export function sweep<S>(
  sessions: Iterable<[S, Session]>,
  lastHeartbeat: (socket: S) => number | undefined,
  limits: Pick<Limits, "identifyTimeoutMs" | "heartbeatTimeoutMs">,
  now: number,
): SweepResult<S> {
  const result: SweepResult<S> = { unidentified: [], silent: [], next: undefined };
  const consider = (socket: S, deadline: number, expired: S[]) => {
    if (deadline <= now) expired.push(socket);
    else if (result.next === undefined || deadline < result.next) result.next = deadline;
  };
  for (const [socket, session] of sessions) {
    if (session.name === undefined) {
      consider(socket, session.acceptedAt + limits.identifyTimeoutMs, result.unidentified);
    } else if (has(session, Capability.heartbeat)) {
      const last = Math.max(lastHeartbeat(socket) ?? 0, session.identifiedAt);
      consider(socket, last + limits.heartbeatTimeoutMs, result.silent);
    }
  }
  return result;
}
