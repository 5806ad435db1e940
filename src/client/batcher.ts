/**
 * Coalescing: the frames written in one tick go out as one `batch` frame (capability
 * `batch`), split where the relay's limits on a batch's frame count and size require.
 *
 * A tick ends when the code that is running, and the microtasks it queued before the first
 * write, have finished: the flush is a microtask queued by the first frame written
 * (`queueMicrotask`), so it adds no delay, and a frame written alone in its tick goes out
 * alone, without the batch wrapper.
 *
 * @module
 */

import { BATCH_WRAPPER_BYTES, DEFAULT_LIMITS } from "wscomsrv-protocol";
import type { Outgoing } from "./outgoing.js";
import { utf8Length } from "./utf8.js";

/**
 * The bounds of one batch the client sends. They must not exceed the relay's
 * `maxBatchFrames` and `maxFrameBytes`, or the relay refuses the whole batch.
 *
 * @example
 * ```ts
 * const limits: BatchLimits = { maxFrames: 100, maxBytes: 64 * 1024 };
 * ```
 */
export interface BatchLimits {
  /** Most frames in one batch. Default 1,000 (the relay's default `maxBatchFrames`). */
  maxFrames: number;
  /**
   * Most UTF-8 bytes in one batch, wrapper included. Default 64 KiB (65,536): larger batches
   * move fewer frames per second, as each one has to arrive whole before its first frame can
   * be handed on. At most the relay's `maxFrameBytes` (1 MiB by default).
   */
  maxBytes: number;
}

/**
 * The default {@link BatchLimits}: the relay's default `maxBatchFrames` (1,000), and 64 KiB.
 * Internal: users set `maxBatchFrames` and `maxBatchBytes`, documented with these defaults.
 */
export const DEFAULT_BATCH_LIMITS: Readonly<BatchLimits> = Object.freeze({
  maxFrames: DEFAULT_LIMITS.maxBatchFrames,
  maxBytes: 65_536,
});

/**
 * What a batcher hands on: the frames of one send, in order (one frame goes out plain,
 * several as a batch), and their UTF-8 size without the wrapper.
 *
 * @example
 * ```ts
 * const send: SendFrames = (frames, bytes) => console.log(frames.length, "frames,", bytes, "bytes");
 * ```
 */
export type SendFrames = (frames: readonly Outgoing[], bytes: number) => void;

/**
 * Collects the frames of one tick and hands them on in as few sends as the limits allow,
 * in order. A frame that is not a JSON object, or too large to share a batch, goes alone.
 *
 * @example
 * ```ts
 * const batcher = new Batcher(DEFAULT_BATCH_LIMITS, (frames) => console.log(frames.length));
 * batcher.push(outgoingOfText('{"type":"a","target":"B"}'));
 * batcher.push(outgoingOfText('{"type":"b","target":"B"}'));
 * // at the end of the tick: logs 2
 * ```
 */
export class Batcher {
  /** The bounds of each batch. */
  readonly limits: Readonly<BatchLimits>;
  readonly #send: SendFrames;
  readonly #schedule: (task: () => void) => void;
  #pending: Outgoing[] = [];
  #scheduled = false;

  /**
   * @param limits - The bounds of each batch. Default {@link DEFAULT_BATCH_LIMITS}.
   * @param send - Takes each group of frames to send.
   * @param schedule - Runs the flush at the end of the tick. Default `queueMicrotask`.
   * @throws RangeError unless both limits are integers >= 1.
   */
  constructor(
    limits: Readonly<BatchLimits>,
    send: SendFrames,
    // Called as a plain function: browsers refuse queueMicrotask with another `this`.
    schedule: (task: () => void) => void = (task) => queueMicrotask(task),
  ) {
    for (const key of ["maxFrames", "maxBytes"] as const) {
      const value = limits[key];
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`batch ${key} must be an integer >= 1, got ${value}`);
      }
    }
    this.limits = { ...limits };
    this.#send = send;
    this.#schedule = schedule;
  }

  /** Frames written in this tick and not sent yet. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Adds a frame to this tick's batch; the first one of a tick schedules the flush. */
  push(frame: Outgoing): void {
    this.#pending.push(frame);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => this.flush());
  }

  /** Sends what is pending now, in order (also called before a socket is closed). */
  flush(): void {
    this.#scheduled = false;
    const frames = this.#pending;
    if (frames.length === 0) return;
    this.#pending = [];
    const budget = this.limits.maxBytes - BATCH_WRAPPER_BYTES;
    let chunk: Outgoing[] = [];
    let bytes = 0;
    const emit = (): void => {
      if (chunk.length > 0) this.#send(chunk, bytes - (chunk.length - 1));
      chunk = [];
      bytes = 0;
    };
    for (const frame of frames) {
      const size = utf8Length(frame.text);
      if (!frame.isObject) {
        emit();
        this.#send([frame], size);
        continue;
      }
      // Each frame after the first adds a comma.
      if (
        chunk.length > 0 &&
        (chunk.length >= this.limits.maxFrames || bytes + 1 + size > budget)
      ) {
        emit();
      }
      bytes += chunk.length > 0 ? size + 1 : size;
      chunk.push(frame);
    }
    emit();
  }
}
