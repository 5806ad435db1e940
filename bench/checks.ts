/**
 * The checks of a run, and how it fails loudly. Each receiver expects one sender's sequence
 * numbers 0, 1, 2, ... in order ({@link SequenceCheck}); anything that goes wrong in a client
 * callback (a gap, a repeat, a swap, an unexpected close, an SDK error) trips the run's wire,
 * and whatever the run is waiting for rejects with that error at once; what does not arrive
 * in time counts as lost ({@link within}).
 *
 * @module
 */

/** A frame was lost, duplicated or reordered. */
export class LossError extends Error {
  override readonly name = "LossError";
}

/** The failure of one run, shared by its clients and its waits. */
export class Tripwire {
  #error: Error | undefined;
  #reject: (error: Error) => void = () => {};
  /** Rejects with the first failure. */
  readonly tripped: Promise<never>;

  constructor() {
    this.tripped = new Promise<never>((_resolve, reject) => {
      this.#reject = reject;
    });
    this.tripped.catch(() => {}); // Observed through race(); never unhandled.
  }

  /** The first failure, if any. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Records the failure (only the first counts) and wakes every wait. */
  fail(error: Error): void {
    if (this.#error !== undefined) return;
    this.#error = error;
    this.#reject(error);
  }

  /** Throws the failure, if there was one. */
  check(): void {
    if (this.#error !== undefined) throw this.#error;
  }
}

/**
 * Waits for `promise`, for at most `ms`, and fails at once when the run trips.
 *
 * @param what - What is waited for, for the message (a function is called at the timeout, so
 *   it can say how far the run got).
 * @throws LossError (rejects) "timed out after N ms waiting for WHAT": what did not arrive in
 *   time counts as lost. Or the run's failure, as soon as it trips.
 */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string | (() => string),
  trip: Tripwire,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const described = typeof what === "string" ? what : what();
      reject(new LossError(`timed out after ${ms} ms waiting for ${described}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout, trip.tripped]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise with its resolve function. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

/** A promise to resolve later. */
export function deferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

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
