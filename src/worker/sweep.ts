/**
 * The room's sweep: newcomers whose wait for a held name is over, sockets that did not
 * identify in time, and sockets whose heartbeats stopped. A plain function over the sessions,
 * run from the Durable Object's alarm.
 *
 * The first two are work the room has promised to do at a given time, so the alarm is set
 * for them exactly. Heartbeats are different: the runtime answers them without waking the
 * room, and a dead socket's name is freed whenever someone needs it (see `liveness.ts`), so
 * the sweep for them runs at most once per `heartbeatSweepMs`, and an idle room whose
 * clients only heartbeat sleeps in between.
 *
 * @module
 */

import { Capability, type Limits } from "wscomsrv-protocol";
import { heartbeatDeadline } from "./liveness.js";
import { has, type Session } from "./session.js";

/** What a sweep found. */
export interface SweepResult<S> {
  /** Newcomers whose wait for a held name ended. */
  waits: S[];
  /** Sockets that did not identify within `identifyTimeoutMs`. */
  unidentified: S[];
  /** Sockets with the heartbeat capability that went quiet for `heartbeatTimeoutMs`. */
  silent: S[];
  /** When the room should wake up next (milliseconds since 1970), if anything is pending. */
  next: number | undefined;
}

/** The limits the sweep reads. */
export type SweepLimits = Pick<
  Limits,
  "identifyTimeoutMs" | "heartbeatTimeoutMs" | "heartbeatSweepMs"
>;

/**
 * Finds the sockets that expired by `now`, and when to look again: at the next promised
 * deadline (a wait, an identify timeout), or for heartbeats no sooner than
 * `now + heartbeatSweepMs`.
 *
 * @param sessions - Every socket with its session.
 * @param lastHeartbeat - When the runtime last answered a heartbeat of the socket, if ever.
 */
export function sweep<S>(
  sessions: Iterable<[S, Session]>,
  lastHeartbeat: (socket: S) => number | undefined,
  limits: SweepLimits,
  now: number,
): SweepResult<S> {
  const result: SweepResult<S> = { waits: [], unidentified: [], silent: [], next: undefined };
  let exact: number | undefined;
  let heartbeat: number | undefined;
  for (const [socket, session] of sessions) {
    if (session.name === undefined) {
      const identifyBy = session.acceptedAt + limits.identifyTimeoutMs;
      const waitUntil = session.waiting?.until;
      if (waitUntil !== undefined && waitUntil <= now) {
        result.waits.push(socket);
      } else if (identifyBy <= now) {
        result.unidentified.push(socket);
        continue;
      } else if (waitUntil !== undefined) {
        exact = earliest(exact, waitUntil);
      }
      exact = earliest(exact, identifyBy);
    } else if (has(session, Capability.heartbeat)) {
      const deadline = heartbeatDeadline(session, lastHeartbeat(socket), limits.heartbeatTimeoutMs);
      if (deadline <= now) result.silent.push(socket);
      else heartbeat = earliest(heartbeat, deadline);
    }
  }
  const heartbeatWake =
    heartbeat === undefined ? undefined : Math.max(heartbeat, now + limits.heartbeatSweepMs);
  result.next = heartbeatWake === undefined ? exact : earliest(exact, heartbeatWake);
  return result;
}

function earliest(a: number | undefined, b: number): number {
  return a === undefined || b < a ? b : a;
}
