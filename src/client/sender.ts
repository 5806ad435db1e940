/**
 * The send path: the queue of frames written while the client may not send, and on an
 * identified connection ids and the frames awaiting the relay's ack (capability `acks`), and
 * coalescing into batches (capability `batch`). Without either capability, a frame goes to
 * the socket as it was written, as with the seed.
 *
 * @module
 */

import { Capability, type CapabilityName, clientBatchText, withIdText } from "wscomsrv-protocol";
import { Batcher, type BatchLimits } from "./batcher.js";
import {
  type ClientError,
  connectionError,
  DroppedFramesError,
  UnconfirmedError,
} from "./errors.js";
import type { ConnectionPart, Session } from "./lifecycle.js";
import { type Outgoing, outgoingOf, serialize, takesIdDirectly } from "./outgoing.js";
import { FrameQueue, type QueueLimits } from "./queue.js";
import type { Connection } from "./transport.js";
import { UnconfirmedFrames, type UnconfirmedLimits } from "./unconfirmed.js";
import { utf8Length } from "./utf8.js";

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
 * Sends the frames of one connection at a time. Ids come from one counter per client, from 1
 * up, never reused, so an id names one frame for the life of the client object.
 *
 * @example
 * ```ts
 * const sender = new Sender(options, (error) => emitter.fail(error));
 * sender.start(connection, ["batch", "acks"]);
 * sender.write({ type: "note", target: "B" });
 * const unconfirmed = sender.stop(); // an UnconfirmedError, or undefined
 * ```
 */
export class Sender implements ConnectionPart {
  readonly #options: SenderOptions;
  readonly #queue: FrameQueue<Outgoing>;
  readonly #fail: (error: ClientError) => void;
  #connection: Connection | undefined;
  #batcher: Batcher | undefined;
  #unconfirmed: UnconfirmedFrames | undefined;
  #nextId = 1;

  /**
   * @param options - Batch and unconfirmed bounds.
   * @param fail - Takes a failed send, and what a replaced connection left unconfirmed.
   */
  constructor(options: SenderOptions, fail: (error: ClientError) => void) {
    this.#options = options;
    this.#fail = fail;
    this.#queue = new FrameQueue(options.queue);
  }

  /** Frames waiting in the send queue. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Queues a frame until the next identify.
   *
   * @returns `"queued"`, or `"dropped"` (reported as `QUEUE_OVERFLOW`) when it does not fit.
   * @throws TypeError when the object cannot be serialised as JSON.
   */
  enqueue(message: object | string): "queued" | "dropped" {
    const frame = outgoingOf(message);
    const refusal = this.#queue.push(frame);
    if (refusal === undefined) return "queued";
    this.#fail(DroppedFramesError.overflow(frame.text, refusal));
    return "dropped";
  }

  /**
   * Drops the queue for good, reported as one `CLIENT_CLOSED` error.
   *
   * @returns How many frames were dropped.
   */
  discard(because: string): number {
    const dropped = this.#queue.drain();
    if (dropped.length > 0) {
      this.#fail(
        DroppedFramesError.closed(
          dropped.map((frame) => frame.text),
          because,
        ),
      );
    }
    return dropped.length;
  }

  /** Starts sending on the session's connection, and sends the queue first when it is open. */
  identified({ connection, granted }: Session): void {
    this.start(connection, granted);
    if (!connection.isOpen) return;
    for (const frame of this.#queue.drain()) this.#writeOutgoing(connection, frame);
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
    if (previous !== undefined) this.#fail(previous);
    this.#connection = connection;
    this.#unconfirmed = granted.includes(Capability.acks)
      ? new UnconfirmedFrames(this.#options.unconfirmed)
      : undefined;
    this.#batcher = granted.includes(Capability.batch)
      ? new Batcher(this.#options.batch, (frames, bytes) => this.#send(connection, frames, bytes))
      : undefined;
  }

  /**
   * Sends a frame (an object as JSON, a string as it is): at the end of the tick with
   * batching, otherwise at once. Without `acks` and `batch`, it goes to the socket as
   * `JSON.stringify` wrote it, or as the string it is.
   *
   * @throws TypeError when the object cannot be serialised as JSON; nothing is sent then.
   */
  write(message: object | string): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    if (this.#unconfirmed === undefined && this.#batcher === undefined) {
      this.#sendText(connection, serialize(message));
      return;
    }
    const out = this.#unconfirmed !== undefined ? this.#withId(message) : outgoingOf(message);
    this.#push(connection, out);
  }

  /** Sends a frame whose text and facts were taken when it was queued. */
  #writeOutgoing(connection: Connection, frame: Outgoing): void {
    if (this.#unconfirmed === undefined && this.#batcher === undefined) {
      this.#sendText(connection, frame.text);
      return;
    }
    this.#push(connection, this.#unconfirmed !== undefined ? this.#numbered(frame) : frame);
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
  }

  /**
   * Sends this tick's batch, stops using the connection, and returns what the relay never
   * confirmed on it, as the error to report (or `undefined` when nothing is missing).
   */
  stop(): UnconfirmedError | undefined {
    const connection = this.#connection;
    if (connection === undefined) return undefined;
    this.flush();
    const left = this.#unconfirmed?.take();
    this.#connection = undefined;
    this.#batcher = undefined;
    this.#unconfirmed = undefined;
    if (left === undefined || left.frames.length + left.untracked === 0) return undefined;
    return new UnconfirmedError(
      left.frames.map((frame) => frame.text),
      left.untracked,
      connection.url,
    );
  }

  /** The frame with an `id`: its own, or the next number when it is an object without one. */
  #withId(message: object | string): Outgoing {
    if (takesIdDirectly(message)) {
      // Serialised with its id at once: no text to edit, and no copy of it.
      const text = serialize({ ...message, id: this.#nextId });
      const id = this.#nextId++;
      return { text, isObject: true, hasId: true, id };
    }
    return this.#numbered(outgoingOf(message));
  }

  /** `frame`, or, when it is an object without an id, its text with the next number added. */
  #numbered(frame: Outgoing): Outgoing {
    if (!frame.isObject || frame.hasId) return frame;
    const id = this.#nextId++;
    return { text: withIdText(frame.text, id), isObject: true, hasId: true, id };
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
      this.#fail(connectionError(connection.url, error));
    }
  }
}
