/**
 * The loss check: each receiver expects one sender's sequence numbers 0, 1, 2, ... in order,
 * and trips the run at the first gap, repeat or swap.
 *
 * @module
 */

import { LossError, type Tripwire } from "./tripwire.js";

/** The order check of one sender's stream at one receiver. */
export class SequenceCheck {
  readonly #who: string;
  readonly #trip: Tripwire;
  #next = 0;

  /** `who` names the stream in the failure, e.g. `"B (from A)"`. */
  constructor(who: string, trip: Tripwire) {
    this.#who = who;
    this.#trip = trip;
  }

  /** Frames received in order so far. */
  get received(): number {
    return this.#next;
  }

  /** Takes the next sequence number; returns false (and trips the run) when it is wrong. */
  take(seq: number): boolean {
    if (seq === this.#next) {
      this.#next += 1;
      return true;
    }
    const what = seq > this.#next ? `${seq - this.#next} lost` : "repeated or reordered";
    this.#trip.fail(
      new LossError(`${this.#who}: expected frame ${this.#next}, received ${seq} (${what})`),
    );
    return false;
  }
}
