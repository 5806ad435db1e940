/**
 * What the room tells about its roster (capability `presence`): each change to the members
 * that asked, the first page in `identified`, and the `roster` server command.
 *
 * @module
 */

import {
  Capability,
  Command,
  ErrorCode,
  type FrameRef,
  type JsonObject,
  own,
  presenceText,
  type RosterPage,
  rosterJson,
  serverCommand,
} from "wscomsrv-protocol";
import type { Socket } from "./connections.js";
import { afford, type IdentifiedEvent, type RoomContext, report } from "./context.js";
import { charsWithin } from "./outbox.js";
import type { Departure } from "./presence.js";
import { has, type Session } from "./session.js";

/** Most names in one `clients` answer. */
export const MAX_ROSTER_PAGE = 1_000;

/**
 * The names after `after` (all when `undefined`), in order, at most `limit` of them and at
 * most `maxChars` characters of JSON (each name costing `overhead` more, for what goes with
 * it), and the last one given when more remain.
 */
export function rosterPage(
  sorted: readonly string[],
  after: string | undefined,
  limit: number,
  maxChars: number,
  overhead = 0,
): { names: string[]; next: string | undefined } {
  let start = 0;
  if (after !== undefined) {
    // The first name greater than `after`: a binary search over the sorted names.
    let high = sorted.length;
    while (start < high) {
      const middle = (start + high) >>> 1;
      if ((sorted[middle] as string) <= after) start = middle + 1;
      else high = middle;
    }
  }
  const names: string[] = [];
  let chars = 0;
  for (let i = start; i < sorted.length && names.length < limit; i++) {
    const name = sorted[i] as string;
    const cost = JSON.stringify(name).length + 1 + overhead;
    if (names.length > 0 && chars + cost > maxChars) break;
    names.push(name);
    chars += cost;
  }
  const last = names.at(-1);
  const more = start + names.length < sorted.length;
  return { names, next: more ? last : undefined };
}

/** Characters a member costs in a roster page beyond its name: state, since, quotes. */
const MEMBER_CHARS = 48;

/** How a socket stopped holding its name, for the roster. */
export function departureOf<S extends Socket>(
  room: RoomContext<S>,
  socket: S,
  session: Session,
): Departure {
  if (room.presence.saidGoodbye(socket)) return "goodbye";
  return has(session, Capability.resume) || session.proof === "token" ? "resumable" : "gone";
}

/**
 * Tells every member with `presence` (but the name itself) the roster's changes of the event
 * that ends, in order.
 */
export function tellPresence<S extends Socket>(room: RoomContext<S>, now: number): void {
  const changes = room.presence.commit(now);
  if (changes.length === 0) return;
  for (const change of changes) {
    for (const [socket, name] of room.presence.watchers) {
      if (name !== change.name) room.outbox.send(socket, presenceText(name, change));
    }
  }
}

/** The page of the roster after `after` (the first when `undefined`), at most `limit` members. */
export function rosterPageOf<S extends Socket>(
  room: RoomContext<S>,
  after: string | undefined,
  limit: number = MAX_ROSTER_PAGE,
): RosterPage {
  // Room for the answer's envelope and the receiver's name.
  const maxChars = Math.max(256, charsWithin(room.limits.maxFrameBytes) - 256);
  const page = rosterPage(room.presence.names(), after, limit, maxChars, MEMBER_CHARS);
  return room.presence.page(page.names, page.next);
}

/**
 * Answers the `roster` command with a page of members (`members`): kwargs `after` and `limit`
 * as for `list_clients`. It costs the rate limit one token per 100 members beyond the frame's
 * own, and the event one delivery per member.
 */
export function answerRoster<S extends Socket>(
  event: IdentifiedEvent<S>,
  kwargs: JsonObject,
  ref: FrameRef,
): void {
  const { room } = event;
  const after = own(kwargs, "after");
  const limit = own(kwargs, "limit");
  const size = Math.min(
    room.presence.size,
    typeof limit === "number" && Number.isInteger(limit) && limit >= 1
      ? Math.min(limit, MAX_ROSTER_PAGE)
      : MAX_ROSTER_PAGE,
  );
  if (!afford(event, size, size * (MEMBER_CHARS + 70), ref)) return;
  const extra = Math.floor(size / 100);
  if (extra > 0 && room.rateLimiter.take(event.socket, event.now, extra) !== "pass") {
    report(event, {
      code: ErrorCode.rateLimited,
      message: `a roster page of ${size} members costs ${extra} more frames of the rate limit than are left; ask again later, or for a smaller limit`,
      ref,
    });
    return;
  }
  room.outbox.charge(size);
  const page = rosterPageOf(room, typeof after === "string" ? after : undefined, size || 1);
  room.outbox.send(
    event.socket,
    JSON.stringify(serverCommand(Command.members, rosterJson(page), [event.session.name])),
  );
}
