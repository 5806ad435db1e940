/**
 * The send path: the queue of frames written while the client may not send, and on an
 * identified connection ids and the frames awaiting the relay's ack (capability `acks`), and
 * coalescing into batches (capability `batch`). With `delivery` or `receipts`, every JSON
 * object frame carries the client's stream identity (`sid`, `seq`); with `delivery` (and
 * `acks`), the frames a broken connection left unacked go out again first on the next one,
 * marked `"resent":true`. Without any of these capabilities, a frame goes to the socket as it
 * was written, as with the seed.
 *
 * @module
 */

import {
  Capability,
  type CapabilityName,
  clientBatchText,
  DeliveryField,
  type Json,
  withFieldsText,
  withIdText,
} from "wscomsrv-protocol";
import { Batcher, type BatchLimits } from "./batcher.js";
import {
  type ClientError,
  connectionError,
  DroppedFramesError,
  UnconfirmedError,
} from "./errors.js";
import type { ConnectionPart, Session } from "./lifecycle.js";
import {
  hasStreamFields,
  type Outgoing,
  outgoingOf,
  serialize,
  takesIdDirectly,
} from "./outgoing.js";
import { FrameQueue, type QueueLimits } from "./queue.js";
import type { Connection } from "./transport.js";
import { UnconfirmedFrames, type UnconfirmedLimits } from "./unconfirmed.js";
import { utf8Length } from "./utf8.js";

/**
 * A new stream id (`sid`): 12 base64url characters from 9 random bytes
 * (`crypto.getRandomValues`).
 *
 * @example
 * ```ts
 * newStreamId(); // for example "k3J9xq0aTz1c"
 * ```
 */
export function newStreamId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_");
}

/**
 * The bounds a {@link Sender} works within.
 *
 * @example
 * ```ts
 * const options: SenderOptions = {
 *   batch: DEFAULT_BATCH_LIMITS,
 *   unconfirmed: DEFAULT_UNCONFIRMED_LIMITS,
 *   queue: DEFAULT_QUEUE_LIMITS,
 * };
 * ```
 */
export interface SenderOptions {
  /** The bounds of each batch. */
  batch: Readonly<BatchLimits>;
  /** The bounds of the frames kept until acked. */
  unconfirmed: Readonly<UnconfirmedLimits>;
  /** The bounds of the send queue. */
  queue: Readonly<QueueLimits>;
}

/**
 * Where a {@link Sender} reports what went wrong.
 *
 * @example
 * ```ts
 * const host: SenderHost = { fail: (error) => emitter.fail(error), lost: (frames, error) => receipts.lost(frames, error) };
 * ```
 */
export interface SenderHost {
  /** Takes a failed send, dropped frames, and what a connection left unconfirmed. */
  fail(error: ClientError): void;
  /**
   * Takes dropped frames that asked for a receipt (`deliver`): `error` is what the error
   * hooks would have got; their promises reject with it instead.
   */
  lost(frames: readonly Outgoing[], error: DroppedFramesError): void;
}

/**
 * Sends the frames of one connection at a time. Ids come from one counter per client, from 1
 * up, never reused, so an id names one frame for the life of the client object; so do the
 * stream numbers (`seq`) under the client's one stream id (`sid`).
 *
 * @example
 * ```ts
 * const sender = new Sender(options, host);
 * sender.start(connection, ["batch", "acks"]);
 * sender.write({ type: "note", target: "B" });
 * const unconfirmed = sender.stop(); // an UnconfirmedError, or undefined
 * ```
 */
export class Sender implements ConnectionPart {
  /** The client's stream id, on its frames as `sid` (with `delivery` or `receipts`). */
  readonly streamId: string = newStreamId();
  readonly #options: SenderOptions;
  readonly #queue: FrameQueue<Outgoing>;
  readonly #host: SenderHost;
  #connection: Connection | undefined;
  #batcher: Batcher | undefined;
  #unconfirmed: UnconfirmedFrames | undefined;
  /** `delivery` or `receipts` granted: frames carry `sid` and `seq`. */
  #identity = false;
  /** `delivery` and `acks` granted: what a broken connection left unacked is sent again. */
  #resend = false;
  /** Why the client is closed for good, from the discard until the next socket opens. */
  #closedBecause: string | undefined;
  #nextId = 1;
  #nextSeq = 1;
  /** Called when the last unacked frame is acked, while a close waits for it. */
  #lingering: (() => void) | undefined;

  /**
   * @param options - Batch, unconfirmed and queue bounds.
   * @param host - Takes failed sends, drops, and what a connection left unconfirmed.
   */
  constructor(options: SenderOptions, host: SenderHost) {
    this.#options = options;
    this.#host = host;
    this.#queue = new FrameQueue(options.queue);
  }

  /** Frames waiting in the send queue. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * A frame that asks for a receipt, with its stream number taken now: it goes out with
   * `sid`, `seq` and `"receipt":true`, queued or sent by {@link writeFrame} or
   * {@link enqueueFrame}.
   *
   * @throws TypeError when `message` is no JSON object, cannot be serialised, or has a `sid`,
   *   `seq`, `receipt` or `resent` field of its own.
   */
  receiptFrame(message: object | string): Outgoing & { readonly seq: number } {
    const frame = outgoingOf(message);
    if (!frame.isObject) throw new TypeError("deliver needs a frame that is a JSON object");
    if (frame.hasStream) {
      throw new TypeError(
        "deliver adds sid, seq and receipt itself: the frame must have none of sid, seq, receipt, resent",
      );
    }
    return { ...frame, seq: this.#nextSeq++, receipt: true };
  }

  /**
   * Queues a frame until the next identify.
   *
   * @returns `"queued"`, or `"dropped"` (reported as `QUEUE_OVERFLOW`) when it does not fit.
   * @throws TypeError when the object cannot be serialised as JSON.
   */
  enqueue(message: object | string): "queued" | "dropped" {
    const frame = outgoingOf(message);
    // Numbered now: frames get their numbers in the order they go out.
    return this.enqueueFrame(
      frame.isObject && !frame.hasStream ? { ...frame, seq: this.#nextSeq++ } : frame,
    );
  }

  /** Queues a frame already read (see {@link enqueue}). */
  enqueueFrame(frame: Outgoing): "queued" | "dropped" {
    const refusal = this.#queue.push(frame);
    if (refusal === undefined) return "queued";
    this.#drop([frame], (texts) => DroppedFramesError.overflow(texts[0] ?? "", refusal));
    return "dropped";
  }

  /**
   * Drops the queue for good, reported as one `CLIENT_CLOSED` error (frames that asked for a
   * receipt: to their promises).
   *
   * @returns How many frames were dropped.
   */
  discard(because: string): number {
    this.#closedBecause = because;
    const dropped = this.#queue.drain();
    this.#drop(dropped, (texts) => DroppedFramesError.closed(texts, because));
    return dropped.length;
  }

  /** Reports `frames` as dropped: those that asked for a receipt to the host's `lost`. */
  #drop(
    frames: readonly Outgoing[],
    error: (texts: readonly string[]) => DroppedFramesError,
  ): void {
    const asked = frames.filter((frame) => frame.receipt === true);
    const others = asked.length === 0 ? frames : frames.filter((frame) => frame.receipt !== true);
    if (asked.length > 0) {
      this.#host.lost(asked, error(asked.map((frame) => frame.text)));
    }
    if (others.length > 0) this.#host.fail(error(others.map((frame) => frame.text)));
  }

  opening(): void {
    this.#closedBecause = undefined;
  }

  /** Starts sending on the session's connection, and sends the queue first when it is open. */
  identified({ connection, granted }: Session): void {
    this.start(connection, granted);
    if (!connection.isOpen) return;
    if (this.#resend) this.#pump();
    else for (const frame of this.#queue.drain()) this.#writeOutgoing(connection, frame);
  }

  /**
   * With `delivery`, the frames the relay has not acked are as many as may be lost and sent
   * again: up to the unconfirmed bounds. Past them, new frames wait in the send queue until
   * acks make room.
   */
  #windowFull(): boolean {
    const unconfirmed = this.#unconfirmed;
    if (!this.#resend || unconfirmed === undefined) return false;
    const { maxFrames, maxBytes } = this.#options.unconfirmed;
    return (
      unconfirmed.frames + (this.#batcher?.pending ?? 0) >= maxFrames ||
      unconfirmed.bytes >= maxBytes
    );
  }

  /**
   * True when a new frame waits in the send queue (with `delivery`): the window is full, or
   * frames wait for it already, and this one goes behind them.
   */
  #mustWait(): boolean {
    return this.#resend && (this.#queue.length > 0 || this.#windowFull());
  }

  /** Sends queued frames while the window has room. */
  #pump(): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    while (this.#queue.length > 0 && !this.#windowFull()) {
      const frame = this.#queue.shift();
      if (frame === undefined) break;
      this.#writeOutgoing(connection, frame);
    }
  }

  /** Stops sending; what the relay never confirmed is the report. */
  ended(): UnconfirmedError | undefined {
    return this.stop();
  }

  /** Frames sent on this connection and not acked yet (0 without the `acks` capability). */
  get unconfirmed(): number {
    return this.#unconfirmed?.frames ?? 0;
  }

  /** Starts sending on `connection`, identified with the `granted` capabilities. */
  start(connection: Connection, granted: readonly CapabilityName[]): void {
    if (this.#connection === connection) return;
    const previous = this.stop();
    if (previous !== undefined) this.#host.fail(previous);
    this.#connection = connection;
    const acks = granted.includes(Capability.acks);
    const delivery = granted.includes(Capability.delivery);
    // With `delivery` the bounds are a window (see #windowFull), kept below the point where
    // texts would be let go: a tick's batch may pass it.
    const { maxFrames, maxBytes } = this.#options.unconfirmed;
    const kept = delivery && acks ? { maxFrames: 2 * maxFrames, maxBytes: 2 * maxBytes } : null;
    this.#unconfirmed = acks ? new UnconfirmedFrames(kept ?? this.#options.unconfirmed) : undefined;
    this.#batcher = granted.includes(Capability.batch)
      ? new Batcher(this.#options.batch, (frames, bytes) => this.#send(connection, frames, bytes))
      : undefined;
    this.#identity = delivery || granted.includes(Capability.receipts);
    this.#resend = delivery && acks;
  }

  /**
   * Sends a frame (an object as JSON, a string as it is): at the end of the tick with
   * batching, otherwise at once. Without `acks`, `batch`, `delivery` and `receipts`, it goes
   * to the socket as `JSON.stringify` wrote it, or as the string it is.
   *
   * @throws TypeError when the object cannot be serialised as JSON; nothing is sent then.
   */
  write(message: object | string): "sent" | "queued" | "dropped" {
    const connection = this.#connection;
    if (connection === undefined) return "sent";
    if (this.#mustWait()) return this.enqueue(message);
    if (!this.#edits) {
      this.#sendText(connection, serialize(message));
      return "sent";
    }
    if (!this.#identity && this.#unconfirmed !== undefined && takesIdDirectly(message)) {
      // Serialised with its id at once: no text to edit, and no copy of it.
      const text = serialize({ ...message, id: this.#nextId });
      const id = this.#nextId++;
      const hasStream = hasStreamFields(message);
      this.#push(connection, { text, isObject: true, hasId: true, id, hasStream });
      return "sent";
    }
    this.#push(connection, this.#stamped(outgoingOf(message)));
    return "sent";
  }

  /** Sends a frame already read (see {@link write}); `undefined` when not identified. */
  writeFrame(frame: Outgoing): "sent" | "queued" | "dropped" {
    const connection = this.#connection;
    if (connection === undefined) return "sent";
    if (this.#mustWait()) return this.enqueueFrame(frame);
    this.#writeOutgoing(connection, frame);
    return "sent";
  }

  /** True when the send path edits or batches frames on this connection. */
  get #edits(): boolean {
    return this.#unconfirmed !== undefined || this.#batcher !== undefined || this.#identity;
  }

  /** Sends a frame whose text and facts were taken when it was queued. */
  #writeOutgoing(connection: Connection, frame: Outgoing): void {
    if (!this.#edits && frame.receipt !== true) {
      this.#sendText(connection, frame.text);
      return;
    }
    this.#push(connection, this.#stamped(frame));
  }

  #push(connection: Connection, out: Outgoing): void {
    if (this.#batcher !== undefined) this.#batcher.push(out);
    else this.#send(connection, [out], utf8Length(out.text));
  }

  /** Sends this tick's batch now. */
  flush(): void {
    this.#batcher?.flush();
  }

  /** Takes the relay's ack of `id`: that send and every earlier one are confirmed. */
  confirm(id: string | number): void {
    this.#unconfirmed?.confirm(id);
    if (this.#resend && this.#queue.length > 0) this.#pump();
    if (this.#lingering !== undefined && this.unconfirmed === 0) this.#lingering();
  }

  /**
   * Calls `done` once every frame sent on this connection is acked, or after `timeoutMs`,
   * whichever comes first (at once without `acks`, or with nothing unacked).
   */
  linger(done: () => void, timeoutMs: number): void {
    if (this.unconfirmed === 0) {
      done();
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      if (this.#lingering === finish) this.#lingering = undefined;
      done();
    };
    timer = setTimeout(finish, timeoutMs);
    this.#lingering = finish;
  }

  /**
   * Sends this tick's batch, stops using the connection, and returns what the relay never
   * confirmed on it, as the error to report (or `undefined` when nothing is missing). With
   * `delivery` granted on it (and the client not closed for good), the frames whose texts
   * were kept go back to the front of the queue, marked `"resent":true`, never dropped; only
   * those let go over the unconfirmed bounds are reported.
   */
  stop(): UnconfirmedError | undefined {
    const connection = this.#connection;
    if (connection === undefined) return undefined;
    this.flush();
    const left = this.#unconfirmed?.take();
    const resend = this.#resend && this.#closedBecause === undefined;
    this.#connection = undefined;
    this.#batcher = undefined;
    this.#unconfirmed = undefined;
    this.#identity = false;
    this.#resend = false;
    if (left === undefined) return undefined;
    if (resend) this.#queue.requeue(left.frames.map(resent));
    const frames = resend ? [] : left.frames;
    if (frames.length + left.untracked === 0) return undefined;
    return new UnconfirmedError(
      frames.map((frame) => frame.text),
      left.untracked,
      connection.url,
      resend,
    );
  }

  /**
   * `frame` with what this connection adds to a JSON object: the next id (with `acks`, when
   * it has none), the client's `sid` and its `seq` (with `delivery` or `receipts`, or when it
   * asks for a receipt), and `"receipt":true` when it asks for one. Each only once.
   */
  #stamped(frame: Outgoing): Outgoing {
    if (!frame.isObject) return frame;
    let { text, id, hasId, seq } = frame;
    let changed = false;
    if (this.#unconfirmed !== undefined && !hasId) {
      id = this.#nextId++;
      hasId = true;
      text = withIdText(text, id);
      changed = true;
    }
    const stamp =
      frame.stamped !== true && !frame.hasStream && (this.#identity || frame.receipt === true);
    if (stamp) {
      seq ??= this.#nextSeq++;
      const fields: Array<readonly [string, Json]> = [
        [DeliveryField.sid, this.streamId],
        [DeliveryField.seq, seq],
      ];
      if (frame.receipt === true) fields.push([DeliveryField.receipt, true]);
      text = withFieldsText(text, fields);
      changed = true;
    }
    if (!changed) return frame;
    return {
      ...frame,
      text,
      id,
      hasId,
      ...(seq === undefined ? {} : { seq }),
      stamped: frame.stamped === true || stamp,
    };
  }

  #send(connection: Connection, frames: readonly Outgoing[], bytes: number): void {
    const [first] = frames;
    if (first === undefined) return;
    let text = first.text;
    let id = first.id;
    if (frames.length > 1) {
      const batchId = this.#unconfirmed === undefined ? undefined : this.#nextId++;
      text = clientBatchText(
        frames.map((frame) => frame.text),
        batchId,
      );
      id = batchId;
    }
    // Kept before the send: a frame the socket refused is as unconfirmed as a lost one.
    this.#unconfirmed?.record(id, frames, bytes);
    this.#sendText(connection, text);
  }

  #sendText(connection: Connection, text: string): void {
    try {
      connection.socket.send(text);
    } catch (error) {
      this.#host.fail(connectionError(connection.url, error));
    }
  }
}

/** `frame` marked `"resent":true` (once; not a frame with delivery fields of its own). */
function resent(frame: Outgoing): Outgoing {
  if (!frame.isObject || frame.hasStream || frame.resent === true) return frame;
  return {
    ...frame,
    text: withFieldsText(frame.text, [[DeliveryField.resent, true]]),
    resent: true,
  };
}
