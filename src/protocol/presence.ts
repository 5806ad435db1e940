/**
 * Presence and time stamps (capabilities `presence` and `stamps`): the roster, the `presence`
 * frames that tell each change, and the relay's receive time on relayed frames. Untrusted
 * input in, a typed value or `undefined` out.
 *
 * @module
 */

import { isJsonObject, own } from "./decode.js";
import {
  FrameType,
  type Json,
  type JsonObject,
  type Member,
  type MemberState,
  type RosterPage,
  SERVER,
} from "./envelope.js";

/** The field the relay writes on relayed frames for clients with `stamps`. */
export const RELAY_TIME_FIELD = "relayTime";

/**
 * What happened to a name (a `presence` frame's `event`):
 *
 * - `join`: a stay begins (the name was not in the roster);
 * - `away`: its socket went without a goodbye (cut, heartbeat timeout, room reset); the stay
 *   goes on for the room's mail window, in case it comes back;
 * - `back`: an away name was taken again within the window: the same stay;
 * - `moved`: the name moved to a new connection in one step (a takeover): the same stay;
 * - `leave`: the stay ends (a goodbye close, a name without `resume` losing its socket, the
 *   window ending while away).
 */
export type PresenceEvent = "join" | "away" | "back" | "moved" | "leave";

const PRESENCE_EVENTS: ReadonlySet<string> = new Set(["join", "away", "back", "moved", "leave"]);

function isPresenceEvent(value: Json | undefined): value is PresenceEvent {
  return typeof value === "string" && PRESENCE_EVENTS.has(value);
}

/**
 * The `data` of a `presence` frame.
 *
 * @example
 * ```ts
 * const data: PresenceData = { event: "join", name: "Sensor", at: 1795667433606 };
 * ```
 */
export interface PresenceData {
  /** What happened. */
  event: PresenceEvent;
  /** To which name. */
  name: string;
  /** When, in milliseconds since 1970 on the relay's clock. */
  at: number;
}

function isMemberState(value: Json | undefined): value is MemberState {
  return value === "here" || value === "away";
}

function isTime(value: Json | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * The `data` of a `presence` frame, or `undefined` when malformed.
 *
 * @example
 * ```ts
 * decodePresenceData({ event: "leave", name: "Sensor", at: 1795667433606 });
 * ```
 */
export function decodePresenceData(data: Json | undefined): PresenceData | undefined {
  if (!isJsonObject(data)) return undefined;
  const event = own(data, "event" satisfies keyof PresenceData);
  const name = own(data, "name" satisfies keyof PresenceData);
  const at = own(data, "at" satisfies keyof PresenceData);
  if (!isPresenceEvent(event) || typeof name !== "string" || !isTime(at)) return undefined;
  return { event, name, at };
}

/**
 * A roster page (`identified.roster`, or the kwargs of the `members` answer), or `undefined`
 * when malformed (malformed members are left out).
 *
 * @example
 * ```ts
 * decodeRosterPage({ members: [{ name: "gui", state: "here", since: 1 }], next: "gui" });
 * ```
 */
export function decodeRosterPage(value: Json | undefined): RosterPage | undefined {
  if (!isJsonObject(value)) return undefined;
  const members = own(value, "members" satisfies keyof RosterPage);
  if (!Array.isArray(members)) return undefined;
  const page: RosterPage = { members: [] };
  for (const item of members) {
    if (!isJsonObject(item)) continue;
    const name = own(item, "name" satisfies keyof Member);
    const state = own(item, "state" satisfies keyof Member);
    const since = own(item, "since" satisfies keyof Member);
    if (typeof name === "string" && isMemberState(state) && isTime(since)) {
      page.members.push({ name, state, since });
    }
  }
  const next = own(value, "next" satisfies keyof RosterPage);
  if (typeof next === "string") page.next = next;
  return page;
}

/** The roster page as JSON, for `identified` and the `members` answer. */
export function rosterJson(page: RosterPage): JsonObject {
  const json: JsonObject = {
    members: page.members.map((member) => ({ ...member })),
  };
  if (page.next !== undefined) json.next = page.next;
  return json;
}

/**
 * The text of a `presence` frame from the relay to `name`.
 *
 * @example
 * ```ts
 * presenceText("gui", { event: "join", name: "Sensor", at: 1795667433606 });
 * ```
 */
export function presenceText(name: string, data: PresenceData): string {
  return JSON.stringify({
    type: FrameType.presence,
    data: { event: data.event, name: data.name, at: data.at },
    from: SERVER,
    target: [name],
  });
}
