/**
 * The room's roster as this client sees it (capability `presence`): `client.members`, filled
 * from the relay's `identified.roster` and the further pages it fetches with the `roster`
 * server command, and kept up to date by the relay's `presence` frames. Each change is told
 * to the `join`, `away`, `back`, `moved` and `leave` hooks.
 *
 * After a reconnect, the new roster replaces the old one page by page: only the differences
 * are told (a name that stayed is no leave and join; a name whose state differs is `away` or
 * `back`). The client's own name is in `members`, but no hook runs for it: the relay tells no
 * client about itself, and its own connection is told by the open, identified and close hooks.
 *
 * @module
 */

import {
  Capability,
  Command,
  commandMessage,
  type Member,
  type PresenceData,
  type PresenceEvent,
  type RosterPage,
  SERVER,
} from "wscomsrv-protocol";
import type { ClientEmitter } from "./emitter.js";
import type { ConnectionPart, Lifecycle, Session } from "./lifecycle.js";
import type { Connection } from "./transport.js";

/** True when `name` is after `after` (every name is after `undefined`) and at most `last`. */
function inPage(name: string, after: string | undefined, last: string | undefined): boolean {
  return (after === undefined || name > after) && (last === undefined || name <= last);
}

/**
 * The roster of one client, across its connections.
 *
 * @example
 * ```ts
 * const roster = new Roster("gui", lifecycle, emitter, Date.now);
 * lifecycle.attach(roster);
 * roster.presence({ event: "join", name: "Sensor", at: Date.now() });
 * roster.members.get("Sensor"); // { name: "Sensor", state: "here", since: ... }
 * ```
 */
export class Roster implements ConnectionPart {
  readonly #name: string;
  readonly #lifecycle: Pick<Lifecycle, "send" | "sendable">;
  readonly #emitter: ClientEmitter;
  readonly #now: () => number;
  readonly #members = new Map<string, Member>();
  #connection: Connection | undefined;
  /**
   * While the roster is being fetched: the `after` of the page asked for (names after it are
   * not known yet, their changes come with that page). `undefined` when complete.
   */
  #asked: string | undefined;
  #fetching = false;

  /**
   * @param name - The client's own name (in the roster, but told to no hook).
   * @param lifecycle - Sends the `roster` requests, on the connection while it is `sendable`.
   * @param emitter - Runs the presence hooks.
   * @param now - The local clock (the client's `now` option), in ms, for the `at` of a leave
   *   found by comparing rosters.
   */
  constructor(
    name: string,
    lifecycle: Pick<Lifecycle, "send" | "sendable">,
    emitter: ClientEmitter,
    now: () => number,
  ) {
    this.#name = name;
    this.#lifecycle = lifecycle;
    this.#emitter = emitter;
    this.#now = now;
  }

  /** The members by name, as last known (also while reconnecting). */
  get members(): ReadonlyMap<string, Member> {
    return this.#members;
  }

  opening(): void {
    this.#stop();
  }

  /** Takes the first page of the roster from `identified`, and asks for the next one. */
  identified({ connection, granted, roster }: Session): void {
    this.#stop();
    this.#connection = connection;
    // Without presence nothing is known of the room: every member is gone from this view.
    const page: RosterPage = granted.includes(Capability.presence)
      ? (roster ?? { members: [] })
      : { members: [] };
    this.#take(page, undefined);
  }

  ended(): undefined {
    this.#stop();
    return undefined;
  }

  /**
   * Takes the relay's `members` answer to the roster's own request.
   *
   * @returns false when the roster asked for no page (the answer is someone else's).
   */
  page(page: RosterPage | undefined): boolean {
    if (!this.#fetching) return false;
    this.#fetching = false;
    // A malformed answer (reported by the caller) ends the fetch where it is.
    if (page !== undefined) this.#take(page, this.#asked);
    else this.#asked = undefined;
    return true;
  }

  /** Takes a `presence` frame: one change of one member. */
  presence({ event, name, at }: PresenceData): void {
    // A name on a page still to come: that page says how it stands.
    if (this.#fetching && (this.#asked === undefined || name > this.#asked)) return;
    const old = this.#members.get(name);
    if (event === "leave") {
      if (old !== undefined) this.#set(name, undefined, "leave", at, old);
      return;
    }
    const state = event === "away" ? "away" : "here";
    const since = event === "moved" && old !== undefined ? old.since : at;
    const member: Member = Object.freeze({ name, state, since });
    if (old === undefined) this.#set(name, member, "join", at);
    else if (event === "moved") this.#set(name, member, "moved", at);
    else if (old.state !== state) this.#set(name, member, state === "away" ? "away" : "back", at);
    else this.#set(name, member, undefined, at);
  }

  /**
   * Puts `page` (the names after `after`, up to its `next`, or to the end) in place of what
   * was known of those names, tells the differences, and asks for the next page.
   */
  #take(page: RosterPage, after: string | undefined): void {
    const last = page.next;
    const listed = new Set<string>();
    for (const member of page.members) {
      if (inPage(member.name, after, last)) listed.add(member.name);
    }
    const now = this.#now();
    for (const [name, old] of [...this.#members]) {
      if (!listed.has(name) && inPage(name, after, last))
        this.#set(name, undefined, "leave", now, old);
    }
    for (const { name, state, since } of page.members) {
      if (!listed.has(name)) continue;
      const old = this.#members.get(name);
      const member: Member = Object.freeze({ name, state, since });
      const event: PresenceEvent | undefined =
        old === undefined
          ? "join"
          : old.state === state
            ? undefined
            : state === "away"
              ? "away"
              : "back";
      this.#set(name, member, event, since);
    }
    this.#asked = last;
    if (last === undefined) return;
    const connection = this.#connection;
    if (connection === undefined || this.#lifecycle.sendable !== connection) return;
    this.#fetching = true;
    this.#lifecycle.send(
      connection,
      JSON.stringify(commandMessage(Command.roster, this.#name, SERVER, { after: last })),
    );
  }

  /** Sets (or, with `undefined`, removes) a member, then tells `event` (if any) to its hooks. */
  #set(
    name: string,
    member: Member | undefined,
    event: PresenceEvent | undefined,
    at: number,
    old?: Member,
  ): void {
    if (member === undefined) this.#members.delete(name);
    else this.#members.set(name, member);
    if (event === undefined || name === this.#name) return;
    const told = member ?? old;
    if (told !== undefined) this.#emitter.emit(event, told, at);
  }

  #stop(): void {
    this.#connection = undefined;
    this.#fetching = false;
    this.#asked = undefined;
  }
}
