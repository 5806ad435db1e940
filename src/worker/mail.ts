/**
 * The room's mail (capability `delivery`): which sockets take numbered mail, what each name
 * has kept (numbers, counts, whether it is away), the frames one event adds for each name,
 * and the bounds. The rows themselves are in {@link SqlMailStore}; this class keeps what it
 * read of them, so that the per-frame path reads no storage.
 *
 * One event's frames for a name are reserved while the event is routed ({@link Mail.reserve})
 * and written as one row when it ends ({@link Mail.commit}), just before the outbox sends
 * them, each socket's preceded by its `mail` frame ({@link Mail.markFor}).
 *
 * @module
 */

import { type Limits, mailText } from "wscomsrv-protocol";
import type { MailboxRow, MailRow, MailTotals, SqlMailStore } from "./mail-store.js";

/** The limits the mail reads. */
export type MailLimits = Pick<
  Limits,
  "mailWindowMs" | "maxMailFrames" | "maxMailBytes" | "maxRoomMailFrames" | "maxRoomMailBytes"
>;

/** What the room knows of one name's mail. */
interface NameMail extends MailboxRow {
  /** The number the next frame gets. */
  next: number;
  /** Frames and characters kept. */
  frames: number;
  chars: number;
}

/** One event's frames for one name, not written yet. */
interface Pending {
  sender: string;
  texts: string[];
  chars: number;
  receipts: Array<[string, number]>;
}

/** Most names the room remembers having no mailbox. */
const MAX_BOXLESS = 10_000;

/** A frame asking for a receipt: its stream and number. */
export type ReceiptKey = readonly [sid: string, seq: number];

/** Rows that left the storage with receipts to send, for one name. */
export interface SettledRows {
  /** The name the rows were for. */
  name: string;
  /** The rows (texts left out). */
  rows: MailRow[];
}

/** The room's mail. */
export class Mail<S> {
  readonly #store: SqlMailStore;
  readonly #limits: MailLimits;
  readonly #names = new Map<string, NameMail>();
  readonly #live = new Map<S, string>();
  readonly #holders = new Map<string, S>();
  /** Names known to have no mailbox (bounded: see {@link MAX_BOXLESS}). */
  readonly #boxless = new Set<string>();
  readonly #pending = new Map<string, Pending>();
  /** What the last commit wrote, per name: the first number and the count. */
  readonly #written = new Map<string, { first: number; count: number }>();
  #room: MailTotals | undefined;

  constructor(store: SqlMailStore, limits: MailLimits) {
    this.#store = store;
    this.#limits = limits;
  }

  /** The mail window, in milliseconds. */
  get windowMs(): number {
    return this.#limits.mailWindowMs;
  }

  /** The name `socket` takes mail as, when it holds a name with `delivery`. */
  liveName(socket: S): string | undefined {
    return this.#live.get(socket);
  }

  /** What the room knows of `name`'s mail (read from storage on first use). */
  state(name: string): Readonly<NameMail> {
    return this.#state(name);
  }

  #state(name: string): NameMail {
    let state = this.#names.get(name);
    if (state === undefined) {
      const box = this.#store.mailbox(name);
      const totals = this.#store.totals(name);
      const confirmed = box?.confirmed ?? 0;
      state = {
        confirmed,
        away: box?.away,
        closed: box?.closed ?? false,
        missed: box?.missed ?? 0,
        ownerSecret: box?.ownerSecret,
        next: Math.max(this.#store.lastNumber(name), confirmed) + 1,
        frames: totals.frames,
        chars: totals.chars,
      };
      this.#names.set(name, state);
    }
    return state;
  }

  #roomTotals(): MailTotals {
    this.#room ??= this.#store.totals();
    return this.#room;
  }

  #save(name: string, state: NameMail): void {
    this.#store.saveMailbox(name, {
      confirmed: state.confirmed,
      away: state.away,
      closed: state.closed,
      missed: state.missed,
      ownerSecret: state.ownerSecret,
    });
  }

  /**
   * True when frames wait in storage for `name` while no socket takes its mail: they are for
   * its proven owner only.
   */
  waitsForOwner(name: string): boolean {
    return !this.#holders.has(name) && this.#state(name).frames > 0;
  }

  /** True when the room keeps frames for `name`, which no socket holds, at `now`. */
  keepsFor(name: string, now: number): boolean {
    if (this.#boxless.has(name)) return false;
    if (!this.#names.has(name) && this.#store.mailbox(name) === undefined) {
      // A name that never took mail: remembered, so that frames to it read no storage.
      if (this.#boxless.size >= MAX_BOXLESS) this.#boxless.clear();
      this.#boxless.add(name);
      return false;
    }
    const state = this.#state(name);
    return state.away !== undefined && now - state.away < this.#limits.mailWindowMs;
  }

  /** The resume secret `name`'s proven owner left with, while its mail waits. */
  ownerSecret(name: string): string | undefined {
    return this.#state(name).ownerSecret;
  }

  /**
   * Keeps `secret` as the one `name`'s owner proves itself with, while someone without proof
   * holds the name and the owner's mail waits.
   */
  keepOwnerSecret(name: string, secret: string | undefined): void {
    const state = this.#state(name);
    if (state.ownerSecret !== undefined || secret === undefined) return;
    state.ownerSecret = secret;
    this.#save(name, state);
  }

  /**
   * `socket` holds `name` with `delivery`: it takes its mail from now on.
   *
   * @param proven - The socket proved it owns the name: the stored mail is sent to it again.
   * @returns the rows to send it again, the receipts kept for it while it was away, and how
   *   many frames it missed.
   */
  hold(
    socket: S,
    name: string,
    proven: boolean,
  ): { rows: MailRow[]; receipts: string[]; missed: number } {
    this.#boxless.delete(name);
    const state = this.#state(name);
    this.#live.set(socket, name);
    this.#holders.set(name, socket);
    const rows = proven ? this.#store.rows(name) : [];
    const receipts = proven ? this.#store.takeReceipts(name) : [];
    const missed = state.missed;
    state.away = undefined;
    state.closed = false;
    state.missed = 0;
    if (proven) state.ownerSecret = undefined;
    this.#save(name, state);
    return { rows, receipts, missed };
  }

  /** Rebuilds the live map after the room woke up: `socket` held `name` with `delivery`. */
  resume(socket: S, name: string): void {
    this.#live.set(socket, name);
    this.#holders.set(name, socket);
  }

  /**
   * After the room (re)started at `now`: names whose mail the storage says is taken, but
   * which no socket holds (the room was reset, and no close reached it), are away from now.
   */
  settle(now: number): void {
    for (const name of this.#store.heldNames()) {
      if (this.#holders.has(name)) continue;
      const state = this.#state(name);
      state.away = now;
      this.#save(name, state);
    }
  }

  /** `socket` stopped holding its name at `now`: its mail is kept for the window. */
  release(socket: S, now: number): string | undefined {
    const name = this.#live.get(socket);
    if (name === undefined) return undefined;
    this.#live.delete(socket);
    if (this.#holders.get(name) === socket) this.#holders.delete(name);
    const state = this.#state(name);
    state.away = now;
    this.#save(name, state);
    return name;
  }

  /** Keeps a receipt for `name`, away and with its mail kept, until its owner is back. */
  holdReceipt(name: string, text: string): void {
    this.#store.holdReceipt(name, text);
  }

  /**
   * Reserves room for a frame of `text` for `name`, in the current event: within the name's
   * and the room's bounds it is kept (written when the event ends) and true is returned;
   * otherwise the name missed it, and false is returned.
   */
  reserve(name: string, sender: string, text: string, receipt: ReceiptKey | undefined): boolean {
    const state = this.#state(name);
    let pending = this.#pending.get(name);
    const frames = (pending?.texts.length ?? 0) + 1;
    const chars = (pending?.chars ?? 0) + text.length;
    const room = this.#roomTotals();
    const limits = this.#limits;
    if (pending === undefined) {
      pending = { sender, texts: [], chars: 0, receipts: [] };
      this.#pending.set(name, pending);
    }
    if (
      state.frames + frames > limits.maxMailFrames ||
      state.chars + chars > limits.maxMailBytes ||
      room.frames + frames > limits.maxRoomMailFrames ||
      room.chars + chars > limits.maxRoomMailBytes
    ) {
      state.missed += 1;
      return false;
    }
    pending.texts.push(text);
    pending.chars += text.length;
    if (receipt !== undefined) pending.receipts.push([receipt[0], receipt[1]]);
    return true;
  }

  /** Writes what the current event reserved, one row per name. */
  commit(): void {
    this.#written.clear();
    if (this.#pending.size === 0) return;
    const room = this.#roomTotals();
    for (const [name, pending] of this.#pending) {
      const state = this.#state(name);
      const count = pending.texts.length;
      const first = state.next;
      if (count > 0) {
        this.#store.insert(name, {
          first,
          count,
          texts: pending.texts,
          chars: pending.chars,
          sender: pending.sender,
          receipts: pending.receipts,
        });
        state.next += count;
        state.frames += count;
        state.chars += pending.chars;
        room.frames += count;
        room.chars += pending.chars;
      }
      if (state.missed > 0 && !this.#holders.has(name)) this.#save(name, state);
      this.#written.set(name, { first, count });
    }
    this.#pending.clear();
  }

  /**
   * The `mail` frame that goes before the frames the last commit wrote for `socket`, with
   * what its name missed since it was last told (a name that is here learns it with its next
   * frames; one that is away, when it is back).
   */
  markFor(socket: S): string | undefined {
    const name = this.#live.get(socket);
    if (name === undefined) return undefined;
    const written = this.#written.get(name);
    if (written === undefined) return undefined;
    const state = this.#state(name);
    const missed = state.missed;
    if (missed > 0) {
      state.missed = 0;
      this.#save(name, state);
    }
    if (written.count === 0 && missed === 0) return undefined;
    return mailText(name, written.first, written.count, missed);
  }

  /**
   * `name` handled every frame numbered up to `through`: those rows are deleted.
   *
   * @returns the deleted rows that hold receipts to send.
   */
  confirm(name: string, through: number): MailRow[] {
    const state = this.#state(name);
    if (through <= state.confirmed) return [];
    const last = state.next - 1;
    const upTo = Math.min(through, last);
    const { receipted, deleted } = this.#store.deleteThrough(name, upTo);
    state.confirmed = upTo;
    state.frames -= deleted.frames;
    state.chars -= deleted.chars;
    const room = this.#roomTotals();
    room.frames -= deleted.frames;
    room.chars -= deleted.chars;
    this.#save(name, state);
    return receipted;
  }

  /**
   * Drops the mail of every name away for longer than the window at `now`: the names learn
   * how many frames they missed when they come back.
   *
   * @returns the dropped rows that hold receipts, per name.
   */
  expire(now: number): SettledRows[] {
    const settled: SettledRows[] = [];
    for (const name of this.#store.awaySince(now - this.#limits.mailWindowMs)) {
      const state = this.#state(name);
      const rows = this.#store.deleteAll(name);
      this.#store.takeReceipts(name);
      let frames = 0;
      let chars = 0;
      for (const row of rows) {
        frames += row.count;
        chars += row.chars;
      }
      state.missed += frames;
      state.frames -= frames;
      state.chars -= chars;
      state.confirmed = state.next - 1;
      state.away = undefined;
      state.closed = true;
      state.ownerSecret = undefined;
      const room = this.#roomTotals();
      room.frames -= frames;
      room.chars -= chars;
      this.#save(name, state);
      const receipted = rows.filter((row) => row.receipts.length > 0);
      if (receipted.length > 0) settled.push({ name, rows: receipted });
    }
    return settled;
  }

  /** Forgets the mailboxes of closed names the room forgot otherwise (see the store's `prune`). */
  prune(): void {
    this.#store.prune();
  }

  /** When the next name's window ends (ms since 1970), if any name is away. */
  nextExpiry(): number | undefined {
    const away = this.#store.earliestAway();
    return away === undefined ? undefined : away + this.#limits.mailWindowMs;
  }
}
