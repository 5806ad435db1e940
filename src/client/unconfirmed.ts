/**
 * The frames sent on one connection that the relay has not confirmed yet (capability `acks`),
 * kept in order up to a bound. Acks are cumulative: the relay takes a socket's frames in order,
 * so its ack of one send confirms every earlier send on that socket too.
 *
 * Past the bound, the oldest texts are let go and only counted: a later ack confirms them all
 * the same, and if none comes before the connection closes, the report says how many there
 * were. Memory stays bounded, and a relay that is merely slow to ack costs no false alarm.
 *
 * @module
 */

import type { Outgoing } from "./outgoing.js";

/**
 * The bounds of the frame texts a client keeps until the relay confirms them.
 *
 * @example
 * ```ts
 * new WebSocketClient("Sensor", { maxUnconfirmedFrames: 1_000, maxUnconfirmedBytes: 1_048_576 });
 * ```
 */
export interface UnconfirmedLimits {
  /** Most frame texts kept. Default 20,000. */
  maxFrames: number;
  /**
   * Most UTF-8 bytes of frame texts kept, all together. Default 8 MiB (8,388,608): with
   * `delivery`, what is kept is what is sent again after a broken connection.
   */
  maxBytes: number;
}

/**
 * The default {@link UnconfirmedLimits}: 20,000 frames and 8 MiB, as the send queue, sized for
 * 1,000 frames a second through a room reset with clients back within seconds. Internal: users
 * set `maxUnconfirmedFrames` and `maxUnconfirmedBytes`.
 */
export const DEFAULT_UNCONFIRMED_LIMITS: Readonly<UnconfirmedLimits> = Object.freeze({
  maxFrames: 20_000,
  maxBytes: 8_388_608,
});

/** One send: a frame, or the frames of a batch, under the id the relay will ack. */
interface Send {
  readonly id: string | number | undefined;
  readonly frames: readonly Outgoing[];
  readonly bytes: number;
}

/**
 * What a connection left unconfirmed: the frames kept, oldest first, and how many older ones
 * were only counted.
 *
 * @example
 * ```ts
 * const { frames, untracked } = unconfirmed.take();
 * ```
 */
export interface Unconfirmed {
  /** The frames whose texts were kept, oldest first. */
  frames: Outgoing[];
  /** Frames sent before those, whose texts were let go over the bound. */
  untracked: number;
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
 * unconfirmed.take(); // { frames: [], untracked: 0 }
 * ```
 */
export class UnconfirmedFrames {
  /** The bounds. */
  readonly limits: Readonly<UnconfirmedLimits>;
  #sends: Array<Send | undefined> = [];
  #head = 0;
  #frames = 0;
  #bytes = 0;
  #untracked = 0;

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

  /** Frames not confirmed yet: those kept and those only counted. */
  get frames(): number {
    return this.#frames + this.#untracked;
  }

  /** UTF-8 bytes of the frame texts kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Frames not confirmed yet whose texts were let go over the bound. */
  get untracked(): number {
    return this.#untracked;
  }

  /**
   * Keeps a send until its ack. Past the bounds, the oldest sends' texts are let go and only
   * counted.
   *
   * @param id - The id the relay's ack will name; `undefined` for a frame without a valid id
   *   (only a later ack confirms it).
   */
  record(id: string | number | undefined, frames: readonly Outgoing[], bytes: number): void {
    this.#sends.push({ id, frames, bytes });
    this.#frames += frames.length;
    this.#bytes += bytes;
    while (this.#frames > this.limits.maxFrames || this.#bytes > this.limits.maxBytes) {
      const send = this.#shift();
      if (send === undefined) break;
      this.#untracked += send.frames.length;
    }
  }

  /**
   * Takes the relay's ack of `id`: the oldest send kept with that id is confirmed, and every
   * send before it, counted ones included. An id no kept send has is ignored (a later ack
   * confirms as much).
   *
   * @returns How many frames were confirmed.
   */
  confirm(id: string | number): number {
    for (let i = this.#head; i < this.#sends.length; i++) {
      if (this.#sends[i]?.id !== id) continue;
      let confirmed = this.#untracked;
      this.#untracked = 0;
      // Counted first: shifting may compact the array and move the indices.
      for (let count = i - this.#head + 1; count > 0; count--) {
        confirmed += this.#shift()?.frames.length ?? 0;
      }
      return confirmed;
    }
    return 0;
  }

  /** Takes everything still unconfirmed, and empties the list. */
  take(): Unconfirmed {
    const frames: Outgoing[] = [];
    for (let i = this.#head; i < this.#sends.length; i++) {
      frames.push(...(this.#sends[i]?.frames ?? []));
    }
    const untracked = this.#untracked;
    this.#sends = [];
    this.#head = 0;
    this.#frames = 0;
    this.#bytes = 0;
    this.#untracked = 0;
    return { frames, untracked };
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
