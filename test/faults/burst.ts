/**
 * Helpers for the fault tests: numbered bursts written by SDK clients at a steady pace, what
 * each receiver got from each sender and when, and the accounting of every number a sender
 * wrote: delivered, reported unconfirmed to the sender, or reported undelivered by the relay.
 */

import type { Json, SendResult, WebSocketClient } from "../../src/client/index.js";
import type { Recorder } from "../support/recorder.js";

/** What a burst or a receiver wakes at each frame: a {@link Recorder}, whose waiters look again. */
export interface Waker {
  wake(): void;
}

/** The frame type of burst frames. */
export const SEQ = "seq";

/** What a burst frame carries: its sender and its number. */
export interface Seq {
  s: string;
  n: number;
}

/** The sequence number in a burst frame's data, if it is one. */
export function seqOf(data: Json | undefined): Seq | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  const { s, n } = data;
  return typeof s === "string" && typeof n === "number" ? { s, n } : undefined;
}

/** The burst frames a receiver got, by sender, in order, with the time of each. */
export class Deliveries {
  /** Numbers received from each sender, in order of arrival. */
  readonly bySender = new Map<string, number[]>();
  /** `performance.now()` at each arrival, all senders together. */
  readonly times: number[] = [];

  /** Records the burst frames `client` receives; wakes `recorder` at each. */
  constructor(client: WebSocketClient, recorder: Waker) {
    client.addMessageType(SEQ, (data) => {
      const seq = seqOf(data);
      if (seq === undefined) throw new Error(`not a burst frame: ${JSON.stringify(data)}`);
      this.times.push(performance.now());
      const list = this.bySender.get(seq.s);
      if (list === undefined) this.bySender.set(seq.s, [seq.n]);
      else list.push(seq.n);
      recorder.wake();
    });
  }

  /** The numbers received from `sender`. */
  from(sender: string): readonly number[] {
    return this.bySender.get(sender) ?? [];
  }

  /** The longest time between two consecutive arrivals from index `start` on, in ms. */
  maxGap(start = 0): number {
    let gap = 0;
    for (let i = Math.max(start, 1); i < this.times.length; i++) {
      gap = Math.max(gap, (this.times[i] ?? 0) - (this.times[i - 1] ?? 0));
    }
    return gap;
  }
}

/** How a burst is written: `perTick` frames every `everyMs` ms, `total` in all. */
export interface BurstPlan {
  total: number;
  perTick: number;
  everyMs: number;
  /** Characters of padding in each frame. Default 0. */
  pad?: number;
}

/** A numbered burst from one client, written at a steady pace. */
export class Burst {
  /** What `writeToSocket` returned for each number. */
  readonly results: SendResult[] = [];
  readonly #client: WebSocketClient;
  readonly #targets: string[];
  readonly #plan: BurstPlan;
  readonly #pad: string;
  readonly #recorder: Waker;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(client: WebSocketClient, targets: string[], plan: BurstPlan, recorder: Waker) {
    this.#client = client;
    this.#targets = targets;
    this.#plan = plan;
    this.#pad = "p".repeat(plan.pad ?? 0);
    this.#recorder = recorder;
  }

  /** Numbers written so far. */
  get written(): number {
    return this.results.length;
  }

  /** True once every number is written. */
  get done(): boolean {
    return this.results.length >= this.#plan.total;
  }

  /** The burst frame numbered `n`. */
  frame(n: number): { type: string; data: Seq & { pad: string }; target: string[] } {
    return { type: SEQ, data: { s: this.#client.name, n, pad: this.#pad }, target: this.#targets };
  }

  /** Starts writing. */
  start(): void {
    this.#timer = setInterval(() => {
      for (let i = 0; i < this.#plan.perTick && !this.done; i++) {
        this.results.push(this.#client.writeToSocket(this.frame(this.results.length)));
      }
      if (this.done) this.stop();
      this.#recorder.wake();
    }, this.#plan.everyMs);
  }

  /** Stops writing. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The numbers whose `writeToSocket` returned `result`. */
  numbers(result: SendResult): number[] {
    const numbers: number[] = [];
    this.results.forEach((value, n) => {
      if (value === result) numbers.push(n);
    });
    return numbers;
  }
}

/** The burst numbers in frames' texts (a batch's frames included), by the id each was sent with. */
export function numbersById(texts: readonly string[]): Map<string | number, number> {
  const byId = new Map<string | number, number>();
  const visit = (frame: unknown): void => {
    if (typeof frame !== "object" || frame === null) return;
    const { type, data, id } = frame as { type?: unknown; data?: unknown; id?: unknown };
    if (type === "batch" && Array.isArray(data)) {
      for (const item of data) visit(item);
      return;
    }
    const seq = type === SEQ ? seqOf(data as Json) : undefined;
    if (seq !== undefined && (typeof id === "string" || typeof id === "number"))
      byId.set(id, seq.n);
  };
  for (const text of texts) {
    try {
      visit(JSON.parse(text));
    } catch {
      // Not JSON: not a burst frame.
    }
  }
  return byId;
}

/** The burst numbers in the frames of `recorder`'s UNCONFIRMED reports. */
export function unconfirmedNumbers(recorder: Recorder): number[] {
  return recorder.unconfirmed.flatMap((error) =>
    error.frames.flatMap((text) => {
      const seq = seqOf((JSON.parse(text) as { data?: Json }).data);
      return seq === undefined ? [] : [seq.n];
    }),
  );
}

/** The burst numbers the relay reported as undelivered to `target`, through their ids. */
export function undeliveredNumbers(
  recorder: Recorder,
  byId: ReadonlyMap<string | number, number>,
  target: string,
): number[] {
  return recorder.relayErrors.flatMap((error) => {
    if (error.relayCode !== "UNDELIVERED" || !error.targets.includes(target)) return [];
    const n = error.ref.id === undefined ? undefined : byId.get(error.ref.id);
    return n === undefined ? [] : [n];
  });
}

/** Throws unless `numbers` rise strictly: nothing twice, nothing out of order. */
export function expectRising(numbers: readonly number[], what: string): void {
  for (let i = 1; i < numbers.length; i++) {
    const [before, after] = [numbers[i - 1] ?? -1, numbers[i] ?? -1];
    if (after <= before) {
      throw new Error(`${what}: ${after} came after ${before} (position ${i})`);
    }
  }
}

/** `0 .. count - 1`. */
export function range(count: number): number[] {
  return Array.from({ length: count }, (_, n) => n);
}
