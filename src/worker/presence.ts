/**
 * The room's roster (capability `presence`): who is here, who is away, since when, and the
 * `presence` frames that tell each change to the members that asked. One stay of a name is
 * one `join` and one `leave`; in between, a takeover is `moved`, a connection that went without
 * a goodbye is `away` (for the room's mail window, when the name can come back with proof) and
 * its return within the window is `back`.
 *
 * A departure is only decided when the event ends ({@link Presence.commit}): a takeover
 * closes the old holder before it grants the name to the newcomer, in the same event, and that
 * is a move, not a leave and a join. The roster is kept in the room's SQLite storage and
 * written only on these changes.
 *
 * @module
 */

import type { Member, MemberState, PresenceEvent, RosterPage } from "wscomsrv-protocol";

/** How a socket stopped holding its name. */
export type Departure =
  /** The client said goodbye (it closed with 1000 or 1001): the stay ends. */
  | "goodbye"
  /** It went otherwise, and can come back with proof (a resume secret or a token). */
  | "resumable"
  /** It went otherwise, and cannot prove it is the same client when it comes back. */
  | "gone";

/** One change to tell the members. */
export interface PresenceChange {
  /** What happened. */
  event: PresenceEvent;
  /** To which name. */
  name: string;
  /** When (ms since 1970). */
  at: number;
}

/** What an event without a change of the roster returns: no array per event. */
const NO_CHANGES: readonly PresenceChange[] = Object.freeze([]);

interface Row {
  state: MemberState;
  since: number;
}

/** The roster's table. */
export class SqlPresenceStore {
  readonly #sql: SqlStorage;

  /** Creates the table on first use. */
  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS presence (name TEXT PRIMARY KEY, state TEXT NOT NULL, since REAL NOT NULL)",
    );
  }

  /** Every member. */
  all(): Map<string, Row> {
    const members = new Map<string, Row>();
    for (const row of this.#sql.exec("SELECT name, state, since FROM presence")) {
      const { name, state, since } = row;
      if (typeof name !== "string" || typeof since !== "number") continue;
      if (state === "here" || state === "away") members.set(name, { state, since });
    }
    return members;
  }

  /** Writes a member. */
  save(name: string, row: Row): void {
    this.#sql.exec(
      "INSERT INTO presence (name, state, since) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET state = excluded.state, since = excluded.since",
      name,
      row.state,
      row.since,
    );
  }

  /** Removes a member. */
  remove(name: string): void {
    this.#sql.exec("DELETE FROM presence WHERE name = ?", name);
  }
}

/** The room's roster. */
export class Presence<S extends object> {
  readonly #store: SqlPresenceStore;
  readonly #windowMs: number;
  #members: Map<string, Row> | undefined;
  #sorted: string[] | undefined;
  /** The sockets that asked for `presence`, and the names they hold. */
  readonly #watchers = new Map<S, string>();
  /** Sockets whose client said goodbye, until they are removed. */
  readonly #goodbyes = new WeakSet<S>();
  /** Names that left their socket in this event, and how. */
  readonly #departures = new Map<string, Departure>();
  /** The changes of this event, in order. */
  readonly #changes: PresenceChange[] = [];

  /** @param windowMs - How long an away name stays in the roster: the room's mail window. */
  constructor(store: SqlPresenceStore, windowMs: number) {
    this.#store = store;
    this.#windowMs = windowMs;
  }

  #all(): Map<string, Row> {
    this.#members ??= this.#store.all();
    return this.#members;
  }

  /** `socket`, holding `name` with `presence`, is told of every change from now on. */
  watch(socket: S, name: string): void {
    this.#watchers.set(socket, name);
  }

  /** The sockets told of changes, and the names they hold. */
  get watchers(): ReadonlyMap<S, string> {
    return this.#watchers;
  }

  /** The client of `socket` closed it with `code`: a 1000 or 1001 is a goodbye. */
  closing(socket: S, code: number): void {
    if (code === 1000 || code === 1001) this.#goodbyes.add(socket);
  }

  /** True when the client of `socket` said goodbye. */
  saidGoodbye(socket: S): boolean {
    return this.#goodbyes.has(socket);
  }

  /** `socket` stopped holding `name` in this event (decided when the event ends). */
  depart(socket: S, name: string, how: Departure): void {
    this.#watchers.delete(socket);
    this.#departures.set(name, how);
  }

  /** `name` was granted at `now`: a join, a return, or (after a departure in this event) a move. */
  arrive(name: string, now: number): void {
    const members = this.#all();
    const prior = members.get(name);
    const departed = this.#departures.delete(name);
    const event: PresenceEvent =
      prior === undefined ? "join" : departed || prior.state === "here" ? "moved" : "back";
    const row: Row = { state: "here", since: event === "moved" && prior ? prior.since : now };
    if (prior === undefined) this.#sorted = undefined;
    members.set(name, row);
    this.#store.save(name, row);
    this.#changes.push({ event, name, at: now });
  }

  /**
   * Decides this event's departures (away or leave) and returns every change of the event,
   * in order, to tell the members.
   */
  commit(now: number): readonly PresenceChange[] {
    if (this.#departures.size > 0) {
      const members = this.#all();
      for (const [name, how] of this.#departures) {
        if (!members.has(name)) continue;
        if (how === "resumable") {
          const row: Row = { state: "away", since: now };
          members.set(name, row);
          this.#store.save(name, row);
          this.#changes.push({ event: "away", name, at: now });
        } else {
          this.#leave(name, now);
        }
      }
      this.#departures.clear();
    }
    return this.#changes.length === 0 ? NO_CHANGES : this.#changes.splice(0);
  }

  #leave(name: string, now: number): void {
    const members = this.#all();
    members.delete(name);
    this.#sorted = undefined;
    this.#store.remove(name);
    this.#changes.push({ event: "leave", name, at: now });
  }

  /**
   * After the room (re)started at `now`: members the table says are here, whose name no
   * socket holds (the room was reset, and no close reached it), are away from now.
   */
  settle(now: number, held: (name: string) => boolean): void {
    for (const [name, row] of this.#all()) {
      if (row.state !== "here" || held(name)) continue;
      const away: Row = { state: "away", since: now };
      this.#all().set(name, away);
      this.#store.save(name, away);
      this.#changes.push({ event: "away", name, at: now });
    }
  }

  /** Ends the stays of names away for longer than the window at `now`. */
  expire(now: number): void {
    for (const [name, row] of this.#all()) {
      if (row.state === "away" && now - row.since >= this.#windowMs) this.#leave(name, now);
    }
  }

  /** When the next away name's window ends (ms since 1970), if any name is away. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const row of this.#all().values()) {
      if (row.state !== "away") continue;
      const end = row.since + this.#windowMs;
      if (next === undefined || end < next) next = end;
    }
    return next;
  }

  /** How many members the roster has. */
  get size(): number {
    return this.#all().size;
  }

  /** The member names, sorted (kept between changes). */
  names(): readonly string[] {
    this.#sorted ??= [...this.#all().keys()].sort();
    return this.#sorted;
  }

  /** The members named `names`, as a roster page with `next`. */
  page(names: readonly string[], next: string | undefined): RosterPage {
    const members = this.#all();
    const page: RosterPage = { members: [] };
    for (const name of names) {
      const row = members.get(name);
      if (row !== undefined) page.members.push({ name, state: row.state, since: row.since });
    }
    if (next !== undefined) page.next = next;
    return page;
  }

  /** One member, if the roster has it. */
  member(name: string): Member | undefined {
    const row = this.#all().get(name);
    return row === undefined ? undefined : { name, ...row };
  }
}
