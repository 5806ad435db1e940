/**
 * The room's mail (capability `delivery`): which sockets take numbered mail, what each name
 * has kept (numbers, counts, whether it is away), the frames one event adds for each name,
 * and the bounds. The rows themselves are in {@link SqlMailStore}; this class keeps what it
 * read of them, so that the per-frame path reads no storage.
 *
 * One event's frames for a name are reserved while the event is routed ({@link Mail.reserve})
 * and numbered when it ends ({@link Mail.commit}), just before the outbox sends them, each
 * socket's preceded by its `mail` frame ({@link Mail.markFor}). Frames for a name that is here
 * are kept in memory until it confirms them: the live path writes nothing. They are written to
 * storage, one row per name, when the name's socket goes, and when they stay unconfirmed for
 * {@link SPILL_AFTER_MS} (a pending timer also keeps the room from hibernating meanwhile).
 * Frames for a name that is away are written at once. Until a frame is confirmed or written,
 * the ack of the frame to its sender waits (`acks.ts`): a reset loses only frames their
 * senders still hold, and send again.
 *
 * @module
 */

import { type Limits, mailText } from "wscomsrv-protocol";
import type { Ticket } from "./acks.js";
import type { MailboxRow, MailRow, MailTotals, ReceiptRef, SqlMailStore } from "./mail-store.js";

/** How long frames for a name that is here stay in memory only, unconfirmed: 1 s. */
export const SPILL_AFTER_MS = 1_000;

/** How many numbers the room reserves for a name at a time (one write per block). */
const NUMBER_BLOCK = 10_000;

/** The limits the mail reads. */
export type MailLimits = Pick<
  Limits,
  "mailWindowMs" | "maxMailFrames" | "maxMailBytes" | "maxRoomMailFrames" | "maxRoomMailBytes"
>;

/** What the room knows of one name's mail. */
interface NameMail extends MailboxRow {
  /** The number the next frame gets. */
  next: number;
  /** Frames and characters kept, in memory and in storage. */
  frames: number;
  chars: number;
  /** Frames kept in storage. */
  stored: number;
}

/** A frame sent to a name that is here, kept in memory until it confirms it. */
interface Entry {
  number: number;
  text: string;
  receipt: ReceiptRef | undefined;
  ticket: Ticket | undefined;
}

/** One event's frames for one name, not numbered yet. */
interface Pending {
  texts: string[];
  chars: number;
  receipts: Array<ReceiptRef | undefined>;
  tickets: Array<Ticket | undefined>;
}

/** Most names the room remembers having no mailbox. */
const MAX_BOXLESS = 10_000;

/** Frames that left the room's keeping with receipts to send, for one name. */
export interface Settled {
  /** The name the frames were for. */
  name: string;
  /** The frames whose senders asked for receipts. */
  receipts: ReceiptRef[];
}

/** What the mail needs from its room. */
export interface MailRoom {
  /** A delivery became safe (confirmed or stored): its frame's ack may go. */
  settle(ticket: Ticket): void;
  /** Frames were written after a while unconfirmed: send what that settled. */
  spilled(): void;
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
  /** Frames sent to names that are here, in memory until confirmed, per name. */
  readonly #inflight = new Map<string, Entry[]>();
  readonly #mailRoom: MailRoom;
  #spillTimer: ReturnType<typeof setTimeout> | undefined;
  /** What the last commit wrote, per name: the first number and the count. */
  readonly #written = new Map<string, { first: number; count: number }>();
  #room: MailTotals | undefined;

  constructor(store: SqlMailStore, limits: MailLimits, room: MailRoom) {
    this.#store = store;
    this.#limits = limits;
    this.#mailRoom = room;
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
      const reserved = box?.reserved ?? 0;
      state = {
        confirmed,
        reserved,
        away: box?.away,
        closed: box?.closed ?? false,
        missed: box?.missed ?? 0,
        ownerSecret: box?.ownerSecret,
        next: Math.max(this.#store.lastNumber(name), confirmed, reserved) + 1,
        frames: totals.frames,
        chars: totals.chars,
        stored: totals.frames,
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
      reserved: state.reserved,
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
    this.#spill(name);
    const state = this.#state(name);
    state.away = now;
    this.#save(name, state);
    return name;
  }

  /**
   * Writes the frames kept in memory for `name` to storage, as one row: they are safe from
   * now on.
   */
  #spill(name: string): void {
    const entries = this.#inflight.get(name);
    if (entries === undefined || entries.length === 0) return;
    this.#inflight.delete(name);
    // One row per run of consecutive numbers (frames written at once may sit between runs).
    let start = 0;
    while (start < entries.length) {
      let end = start + 1;
      while (
        end < entries.length &&
        (entries[end] as Entry).number === (entries[end - 1] as Entry).number + 1
      ) {
        end += 1;
      }
      const run = entries.slice(start, end);
      const texts = run.map((entry) => entry.text);
      const receipts = run.flatMap((entry) => (entry.receipt === undefined ? [] : [entry.receipt]));
      const chars = texts.reduce((sum, text) => sum + text.length, 0);
      const first = (run[0] as Entry).number;
      this.#store.insert(name, { first, count: run.length, texts, chars, receipts });
      start = end;
    }
    this.#state(name).stored += entries.length;
    for (const entry of entries) {
      if (entry.ticket !== undefined) this.#mailRoom.settle(entry.ticket);
    }
  }

  /** Writes every frame unconfirmed in memory (their time is up), and lets their acks go. */
  #spillAll(): void {
    this.#spillTimer = undefined;
    for (const name of [...this.#inflight.keys()]) this.#spill(name);
    this.#mailRoom.spilled();
  }

  /** Keeps a receipt for `name`, away and with its mail kept, until its owner is back. */
  holdReceipt(name: string, text: string): void {
    this.#store.holdReceipt(name, text);
  }

  /**
   * Reserves room for a frame of `text` for `name`, in the current event: within the name's
   * and the room's bounds it is kept (numbered when the event ends) and true is returned;
   * otherwise the name missed it, and false is returned.
   *
   * @param ticket - The ticket of the sender's event, for a name that is here: the frame's ack
   *   waits until the name confirms it or it is written.
   */
  reserve(
    name: string,
    text: string,
    receipt: ReceiptRef | undefined,
    ticket: Ticket | undefined,
  ): boolean {
    const state = this.#state(name);
    let pending = this.#pending.get(name);
    const frames = (pending?.texts.length ?? 0) + 1;
    const chars = (pending?.chars ?? 0) + text.length;
    const room = this.#roomTotals();
    const limits = this.#limits;
    if (pending === undefined) {
      pending = { texts: [], chars: 0, receipts: [], tickets: [] };
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
    pending.receipts.push(receipt);
    if (ticket !== undefined && this.#holders.has(name)) {
      ticket.pending += 1;
      pending.tickets.push(ticket);
    } else {
      pending.tickets.push(undefined);
    }
    return true;
  }

  /**
   * Numbers what the current event reserved: kept in memory for a name that is here, written
   * as one row for a name that is away.
   */
  commit(): void {
    this.#written.clear();
    if (this.#pending.size === 0) return;
    const room = this.#roomTotals();
    for (const [name, pending] of this.#pending) {
      const state = this.#state(name);
      const count = pending.texts.length;
      const first = state.next;
      if (count > 0) {
        state.next += count;
        state.frames += count;
        state.chars += pending.chars;
        room.frames += count;
        room.chars += pending.chars;
        // In memory only when every sender can send its frames again until they are safe.
        if (this.#holders.has(name) && pending.tickets.every((ticket) => ticket !== undefined)) {
          this.#keep(name, first, pending);
        } else {
          const receipts = pending.receipts.filter((receipt) => receipt !== undefined);
          this.#store.insert(name, {
            first,
            count,
            texts: pending.texts,
            chars: pending.chars,
            receipts,
          });
          state.stored += count;
        }
        if (state.next - 1 > state.reserved) {
          state.reserved = state.next - 1 + NUMBER_BLOCK;
          this.#save(name, state);
        }
      }
      if (state.missed > 0 && !this.#holders.has(name)) this.#save(name, state);
      this.#written.set(name, { first, count });
    }
    this.#pending.clear();
    if (this.#inflight.size > 0 && this.#spillTimer === undefined) {
      this.#spillTimer = setTimeout(() => this.#spillAll(), SPILL_AFTER_MS);
    }
  }

  /** Keeps an event's numbered frames for a name that is here, in memory. */
  #keep(name: string, first: number, pending: Pending): void {
    let entries = this.#inflight.get(name);
    if (entries === undefined) {
      entries = [];
      this.#inflight.set(name, entries);
    }
    for (let i = 0; i < pending.texts.length; i++) {
      entries.push({
        number: first + i,
        text: pending.texts[i] as string,
        receipt: pending.receipts[i],
        ticket: pending.tickets[i],
      });
    }
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
   * `name` handled every frame numbered up to `through`: the room forgets them (from memory,
   * and from storage where they were written), and their acks may go.
   *
   * @returns the frames forgotten whose senders asked for receipts.
   */
  confirm(name: string, through: number): ReceiptRef[] {
    const state = this.#state(name);
    const upTo = Math.min(through, state.next - 1);
    if (upTo <= state.confirmed) return [];
    const receipts: ReceiptRef[] = [];
    let frames = 0;
    let chars = 0;
    const entries = this.#inflight.get(name);
    if (entries !== undefined) {
      let done = 0;
      while (done < entries.length && (entries[done] as Entry).number <= upTo) {
        const entry = entries[done] as Entry;
        frames += 1;
        chars += entry.text.length;
        if (entry.receipt !== undefined) receipts.push(entry.receipt);
        if (entry.ticket !== undefined) this.#mailRoom.settle(entry.ticket);
        done += 1;
      }
      if (done === entries.length) this.#inflight.delete(name);
      else if (done > 0) entries.splice(0, done);
      if (this.#inflight.size === 0 && this.#spillTimer !== undefined) {
        // Nothing left only in memory: nothing keeps the room from hibernating.
        clearTimeout(this.#spillTimer);
        this.#spillTimer = undefined;
      }
    }
    state.confirmed = upTo;
    if (state.stored > 0) {
      const { receipted, deleted } = this.#store.deleteThrough(name, upTo);
      for (const row of receipted) receipts.push(...row.receipts);
      frames += deleted.frames;
      chars += deleted.chars;
      state.stored -= deleted.frames;
      this.#save(name, state);
    }
    state.frames -= frames;
    state.chars -= chars;
    const room = this.#roomTotals();
    room.frames -= frames;
    room.chars -= chars;
    return receipts;
  }

  /**
   * Drops the mail of every name away for longer than the window at `now`: the names learn
   * how many frames they missed when they come back.
   *
   * @returns the dropped frames whose senders asked for receipts, per name.
   */
  expire(now: number): Settled[] {
    const settled: Settled[] = [];
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
      state.stored = 0;
      state.confirmed = state.next - 1;
      state.away = undefined;
      state.closed = true;
      state.ownerSecret = undefined;
      const room = this.#roomTotals();
      room.frames -= frames;
      room.chars -= chars;
      this.#save(name, state);
      const receipts = rows.flatMap((row) => row.receipts);
      if (receipts.length > 0) settled.push({ name, receipts });
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
