/**
 * The receiving side of exactly-once delivery (capability `delivery`): the relay's `mail`
 * frames number the peer frames that follow them; a frame whose number was handled already,
 * or whose stream number (`seq`) is not above the highest one handled from its sender's
 * stream (`from`, `sid`), is a duplicate and is dropped before any hook sees it. The highest
 * number handled goes back to the relay as a `received` command, at most one every
 * {@link RECEIVED_INTERVAL_MS}, straight on the connection (no id, never queued), so that the
 * room can forget what was handled.
 *
 * The per-stream memory is bounded: at most {@link MAX_STREAMS} streams, each forgotten after
 * {@link STREAM_IDLE_MS} without a frame (the least recently heard first when full). A frame
 * sent again after that is no longer recognised by its `seq`; the relay's numbering still
 * catches every frame it sends again itself.
 *
 * @module
 */

import {
  Capability,
  decodeDeliveryFields,
  type Envelope,
  type IdentifiedMail,
  type JsonObject,
  type MailData,
  receivedText,
} from "wscomsrv-protocol";
import { type ClientError, MissedFramesError } from "./errors.js";
import type { ConnectionPart, Lifecycle, Session } from "./lifecycle.js";
import type { Connection } from "./transport.js";

/** Most sender streams (`from`, `sid`) whose highest `seq` is remembered: 10,000. */
export const MAX_STREAMS = 10_000;

/** A stream not heard from for this long is forgotten: 10 minutes, in ms. */
export const STREAM_IDLE_MS = 600_000;

/** Most one `received` confirmation per this many ms: 20. */
export const RECEIVED_INTERVAL_MS = 20;

/** The highest `seq` handled from one stream, and when it was last heard from. */
interface StreamMark {
  seq: number;
  at: number;
}

/**
 * What one client received under its name: the highest mail number handled (kept across
 * connections, as the relay's numbering is per name) and the sender streams' marks.
 *
 * @example
 * ```ts
 * const inbox = new Inbox("gui", lifecycle, (error) => emitter.fail(error));
 * lifecycle.attach(inbox);
 * inbox.mail({ first: 1, count: 1 });
 * inbox.admit(message, fields); // true: number 1 is new
 * ```
 */
export class Inbox implements ConnectionPart {
  readonly #name: string;
  readonly #lifecycle: Pick<Lifecycle, "send" | "sendable">;
  readonly #fail: (error: ClientError) => void;
  readonly #now: () => number;
  /** Streams by key, least recently heard from first (a touched stream moves to the end). */
  readonly #streams = new Map<string, StreamMark>();
  #handled = 0;
  #confirmed = 0;
  #next = 0;
  #left = 0;
  #connection: Connection | undefined;
  #delivery = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param name - The client's name (the `from` of its `received` commands).
   * @param lifecycle - Sends the confirmations, on the connection while it is `sendable`.
   * @param fail - Takes a {@link MissedFramesError}.
   * @param now - The clock, in ms. Default `Date.now`.
   */
  constructor(
    name: string,
    lifecycle: Pick<Lifecycle, "send" | "sendable">,
    fail: (error: ClientError) => void,
    now: () => number = Date.now,
  ) {
    this.#name = name;
    this.#lifecycle = lifecycle;
    this.#fail = fail;
    this.#now = now;
  }

  /** The highest mail number handled. */
  get handled(): number {
    return this.#handled;
  }

  /** The sender streams remembered. */
  get streams(): number {
    return this.#streams.size;
  }

  opening(): void {
    this.#stop();
  }

  /** Takes the relay's view of the name's mail (`identified.mail`). */
  identified({ connection, granted, mail }: Session): void {
    this.#stop();
    this.#connection = connection;
    this.#delivery = granted.includes(Capability.delivery);
    if (!this.#delivery || mail === undefined) return;
    this.#resume(mail);
  }

  ended(): undefined {
    this.#stop();
    return undefined;
  }

  #resume(mail: IdentifiedMail): void {
    if (mail.confirmed > this.#handled) this.#handled = mail.confirmed;
    // The relay numbers below what was handled here: it lost its data, and counts again.
    if (mail.next - 1 < this.#handled) this.#handled = mail.confirmed;
    this.#confirmed = mail.confirmed;
    if (mail.missed > 0) this.#fail(new MissedFramesError(mail.missed));
    // Handled here, but the confirmation did not reach the relay before the connection ended.
    if (this.#handled > this.#confirmed) this.#schedule();
  }

  /** Takes a `mail` frame: the next `count` peer frames are numbered from `first`. */
  mail(data: MailData): void {
    this.#next = data.first;
    this.#left = data.count;
    if (data.missed !== undefined) this.#fail(new MissedFramesError(data.missed));
  }

  /**
   * Whether a peer frame is new (to be handled) or a duplicate (to be dropped before any
   * hook). Its mail number, if it has one, counts as handled either way.
   *
   * @param message - The decoded frame.
   * @param fields - Its JSON object, for `sid` and `seq`.
   */
  admit(message: Envelope, fields: JsonObject): boolean {
    if (this.#left > 0) {
      const number = this.#next;
      this.#next += 1;
      this.#left -= 1;
      if (number <= this.#handled) return false;
      this.#handled = number;
      this.#schedule();
    }
    if (!this.#delivery || message.from === undefined) return true;
    const identity = decodeDeliveryFields(fields);
    if (typeof identity === "string" || identity.sid === undefined || identity.seq === undefined) {
      return true;
    }
    return this.#fresh(message.from, identity.sid, identity.seq);
  }

  /** A frame that could not be decoded: its mail number, if any, is spent all the same. */
  undecodable(): void {
    if (this.#left === 0) return;
    const number = this.#next;
    this.#next += 1;
    this.#left -= 1;
    if (number <= this.#handled) return;
    this.#handled = number;
    this.#schedule();
  }

  /** True when `seq` is above the mark of stream (`from`, `sid`); moves the mark up. */
  #fresh(from: string, sid: string, seq: number): boolean {
    const now = this.#now();
    for (const [key, mark] of this.#streams) {
      if (now - mark.at < STREAM_IDLE_MS) break;
      this.#streams.delete(key);
    }
    // The length first: no name or sid can make two pairs give one key.
    const key = `${from.length}:${from}${sid}`;
    const mark = this.#streams.get(key);
    this.#streams.delete(key);
    if (mark !== undefined && seq <= mark.seq) {
      mark.at = now;
      this.#streams.set(key, mark);
      return false;
    }
    this.#streams.set(key, { seq, at: now });
    if (this.#streams.size > MAX_STREAMS) {
      for (const oldest of this.#streams.keys()) {
        this.#streams.delete(oldest);
        break;
      }
    }
    return true;
  }

  /** Sends `received` for the highest number handled, at most one per interval. */
  #schedule(): void {
    if (this.#timer !== undefined || !this.#delivery) return;
    const connection = this.#connection;
    if (connection === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#connection !== connection || this.#lifecycle.sendable !== connection) return;
      if (this.#handled <= this.#confirmed) return;
      this.#confirmed = this.#handled;
      this.#lifecycle.send(connection, receivedText(this.#name, this.#handled));
    }, RECEIVED_INTERVAL_MS);
  }

  /** Forgets the connection's numbering and confirmation; the marks stay. */
  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#connection = undefined;
    this.#delivery = false;
    this.#next = 0;
    this.#left = 0;
  }
}
