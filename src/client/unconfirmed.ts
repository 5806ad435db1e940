/**
 * The frames sent on one connection that the relay has not confirmed yet (capability `acks`),
 * kept in order up to a bound. Acks are cumulative: the relay takes a socket's frames in
 * order, so its ack of one send confirms every earlier send on that socket too.
 *
 * @module
 */

import type { Outgoing } from "./outgoing.js";

/**
 * The bounds of the frames a client keeps until the relay confirms them.
 *
 * @example
 * ```ts
 * new WebSocketClient("Sensor", { maxUnconfirmedFrames: 1_000, maxUnconfirmedBytes: 1_048_576 });
 * ```
 */
export interface UnconfirmedLimits {
  /** Most frames kept. Default 10,000. */
  maxFrames: number;
  /** Most UTF-8 bytes kept, all frames together. Default 16 MiB (16,777,216). */
  maxBytes: number;
}

/**
 * The default {@link UnconfirmedLimits}: well above what is in flight at the relay's rate
 * limit (bursts of 10,000 frames) and largest frame (1 MiB).
 *
 * @example
 * ```ts
 * new WebSocketClient("Phone", { maxUnconfirmedBytes: DEFAULT_UNCONFIRMED_LIMITS.maxBytes / 16 });
 * ```
 */
export const DEFAULT_UNCONFIRMED_LIMITS: Readonly<UnconfirmedLimits> = Object.freeze({
  maxFrames: 10_000,
  maxBytes: 16_777_216,
});

/** One send: a frame, or the frames of a batch, under the id the relay will ack. */
interface Send {
  readonly id: string | number | undefined;
  readonly frames: readonly Outgoing[];
  readonly bytes: number;
}

/**
 * The sends of one connection awaiting their ack, oldest first.
 *
 * @example
 * ```ts
 * const unconfirmed = new UnconfirmedFrames();
 * unconfirmed.record(1, [frameA], 30);
 * unconfirmed.record(2, [frameB, frameC], 60);
 * unconfirmed.confirm(2); // 3: every frame up to the send with id 2
 * unconfirmed.take(); // []
 * ```
 */
export class UnconfirmedFrames {
  /** The bounds. */
  readonly limits: Readonly<UnconfirmedLimits>;
  #sends: Array<Send | undefined> = [];
  #head = 0;
  #frames = 0;
  #bytes = 0;

  /**
   * @param limits - Count and byte bounds. Default {@link DEFAULT_UNCONFIRMED_LIMITS}.
   * @throws RangeError unless both are integers >= 0.
   */
  constructor(limits: Readonly<UnconfirmedLimits> = DEFAULT_UNCONFIRMED_LIMITS) {
    for (const key of ["maxFrames", "maxBytes"] as const) {
      const value = limits[key];
      if (!Number.isInteger(value) || value < 0) {
        throw new RangeError(`unconfirmed ${key} must be an integer >= 0, got ${value}`);
      }
    }
    this.limits = { ...limits };
  }

  /** Frames kept. */
  get frames(): number {
    return this.#frames;
  }

  /** UTF-8 bytes kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Keeps a send until its ack. When the bounds are exceeded, the oldest sends are let go.
   *
   * @param id - The id the relay's ack will name; `undefined` for a frame without a valid id
   *   (only a later ack confirms it).
   * @returns The frames let go, oldest first (usually none).
   */
  record(id: string | number | undefined, frames: readonly Outgoing[], bytes: number): Outgoing[] {
    this.#sends.push({ id, frames, bytes });
    this.#frames += frames.length;
    this.#bytes += bytes;
    const dropped: Outgoing[] = [];
    while (this.#frames > this.limits.maxFrames || this.#bytes > this.limits.maxBytes) {
      const send = this.#shift();
      if (send === undefined) break;
      dropped.push(...send.frames);
    }
    return dropped;
  }

  /**
   * Takes the relay's ack of `id`: the oldest send with that id is confirmed, and every send
   * before it.
   *
   * @returns How many frames were confirmed (0 when no send has that id).
   */
  confirm(id: string | number): number {
    for (let i = this.#head; i < this.#sends.length; i++) {
      if (this.#sends[i]?.id !== id) continue;
      let confirmed = 0;
      // Counted first: shifting may compact the array and move the indices.
      for (let count = i - this.#head + 1; count > 0; count--) {
        confirmed += this.#shift()?.frames.length ?? 0;
      }
      return confirmed;
    }
    return 0;
  }

  /** Takes every frame still unconfirmed, oldest first, and empties the list. */
  take(): Outgoing[] {
    const frames: Outgoing[] = [];
    for (let i = this.#head; i < this.#sends.length; i++)
      frames.push(...(this.#sends[i]?.frames ?? []));
    this.#sends = [];
    this.#head = 0;
    this.#frames = 0;
    this.#bytes = 0;
    return frames;
  }

  #shift(): Send | undefined {
    if (this.#head >= this.#sends.length) return undefined;
    const send = this.#sends[this.#head];
    this.#sends[this.#head] = undefined;
    this.#head += 1;
    if (send !== undefined) {
      this.#frames -= send.frames.length;
      this.#bytes -= send.bytes;
    }
    // Drop the confirmed slots now and then, so the array does not grow for ever.
    if (this.#head >= 1_024 && this.#head * 2 >= this.#sends.length) {
      this.#sends = this.#sends.slice(this.#head);
      this.#head = 0;
    }
    return send;
  }
}
