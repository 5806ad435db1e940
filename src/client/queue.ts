/**
 * The send queue: frames written while the client cannot send, kept in order up to a bound
 * on their count and on their total size. The client queues each frame with its text and what
 * the send path must know of it (an `Outgoing`), so that nothing is parsed again when the
 * queue drains.
 *
 * @module
 */

import { utf8Length } from "./utf8.js";

/** A queued frame: its text, or an object that holds it. */
type Queued = string | { readonly text: string };

/**
 * The bounds of a {@link FrameQueue}.
 *
 * @example
 * ```ts
 * new FrameQueue({ maxFrames: 10, maxBytes: 64 * 1024 });
 * ```
 */
export interface QueueLimits {
  /** Most frames held. Default 20,000. */
  maxFrames: number;
  /** Most UTF-8 bytes held, all frames together. Default 8 MiB (8,388,608). */
  maxBytes: number;
}

/**
 * The default {@link QueueLimits}: 20,000 frames, 8 MiB, sized for 1,000 frames a second
 * through a room reset with clients back within seconds (frames sent again after a broken
 * connection wait here too).
 */
export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = Object.freeze({
  maxFrames: 20_000,
  maxBytes: 8_388_608,
});

/**
 * A FIFO of frames (texts, or objects holding their text) with a count and a byte bound. When a frame does not fit, it is
 * refused and the queue is left as it was: frames already queued are never dropped or
 * reordered to make room.
 *
 * @example
 * ```ts
 * const queue = new FrameQueue({ maxFrames: 2, maxBytes: 1024 });
 * queue.push("a"); // undefined: queued
 * queue.push("b"); // undefined: queued
 * queue.push("c"); // "2 frames queued": refused
 * queue.drain(); // ["a", "b"]
 * ```
 */
export class FrameQueue<F extends Queued = string> {
  readonly #frames: F[] = [];
  /** Where the oldest frame held is in `#frames` (the slots before it were taken). */
  #head = 0;
  #bytes = 0;
  /** The bounds. */
  readonly limits: Readonly<QueueLimits>;

  /** @param limits - Count and byte bounds. Default {@link DEFAULT_QUEUE_LIMITS}. */
  constructor(limits: Readonly<QueueLimits> = DEFAULT_QUEUE_LIMITS) {
    for (const key of ["maxFrames", "maxBytes"] as const) {
      const value = limits[key];
      if (!Number.isInteger(value) || value < 0) {
        throw new RangeError(`${key} must be an integer >= 0, got ${value}`);
      }
    }
    this.limits = { ...limits };
  }

  /** Frames held. */
  get length(): number {
    return this.#frames.length - this.#head;
  }

  /** UTF-8 bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Appends `frame` when it fits; otherwise leaves the queue unchanged.
   *
   * @returns `undefined` when queued, otherwise which bound it would break, as a sentence.
   */
  push(frame: F): string | undefined {
    if (this.length >= this.limits.maxFrames) {
      return `${this.limits.maxFrames} frames queued`;
    }
    const size = utf8Length(typeof frame === "string" ? frame : frame.text);
    if (this.#bytes + size > this.limits.maxBytes) {
      return `${this.#bytes} of ${this.limits.maxBytes} bytes queued, the frame has ${size}`;
    }
    this.#frames.push(frame);
    this.#bytes += size;
    return undefined;
  }

  /**
   * Puts `frames` back at the front, in their order, whatever the bounds: they were queued
   * or sent before every frame held, and are never dropped. They count against the bounds,
   * so the queue may hold more than its bounds until it is drained, and refuses new frames
   * meanwhile.
   *
   * @example
   * ```ts
   * const queue = new FrameQueue({ maxFrames: 1, maxBytes: 1024 });
   * queue.push("c");
   * queue.requeue(["a", "b"]);
   * queue.drain(); // ["a", "b", "c"]
   * ```
   */
  requeue(frames: readonly F[]): void {
    if (frames.length === 0) return;
    for (const frame of frames)
      this.#bytes += utf8Length(typeof frame === "string" ? frame : frame.text);
    this.#compact();
    this.#frames.unshift(...frames);
  }

  /**
   * Takes the oldest frame, if any.
   *
   * @example
   * ```ts
   * const queue = new FrameQueue();
   * queue.push("a");
   * queue.shift(); // "a"
   * ```
   */
  shift(): F | undefined {
    if (this.#head >= this.#frames.length) return undefined;
    const frame = this.#frames[this.#head] as F;
    this.#head += 1;
    this.#bytes -= utf8Length(typeof frame === "string" ? frame : frame.text);
    if (this.#head >= 1_024 && this.#head * 2 >= this.#frames.length) this.#compact();
    return frame;
  }

  /** Takes every frame, oldest first, and empties the queue. */
  drain(): F[] {
    this.#compact();
    const frames = this.#frames.splice(0);
    this.#bytes = 0;
    return frames;
  }

  /** Drops the slots of frames already taken. */
  #compact(): void {
    if (this.#head === 0) return;
    this.#frames.splice(0, this.#head);
    this.#head = 0;
  }

  /** Empties the queue. @returns how many frames were discarded. */
  clear(): number {
    return this.drain().length;
  }
}
