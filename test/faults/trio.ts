/**
 * Three senders and one receiver in one room, the setup of every exactly-once fault test:
 * each sender writes a numbered burst to the receiver at a steady pace, and the receiver's
 * application (its message type function for burst frames) records what it handled. The
 * check is made from the application's side, not from the wire: every number of every sender
 * handled once, in the order sent, or an error naming the sender and the number handled twice,
 * out of order, or never.
 *
 * A burst's last frame goes out with `client.deliver()`, and the burst is over when its
 * receipt says the receiver confirmed it: by then the relay has let go of every frame of the
 * burst (confirmations are cumulative), so no late resend or replay can still come.
 *
 * Runtime-neutral: the clients come from a {@link MakeClient} function, so that the same setup
 * runs on Node (against a local relay) and inside workerd (against the Room itself).
 */

import type {
  ClientError,
  ClientOptions,
  Receipt,
  WebSocketClient,
} from "../../src/client/index.js";
import { eventually, FAST, Recorder } from "../support/recorder.js";
import { Burst, Deliveries, range } from "./burst.js";

/** The receiver's name. */
export const RECEIVER = "Receiver";

/** The senders' names. */
export const SENDERS = ["S1", "S2", "S3"] as const;

/**
 * Makes one client: `options` hold the test's settings (a logger, fast reconnects,
 * `autoConnect: false`, and what the test passed); the function adds where to connect.
 */
export type MakeClient = (name: string, options: ClientOptions) => WebSocketClient;

/** One client of the trio and what it reported. */
export interface Party {
  name: string;
  client: WebSocketClient;
  events: Recorder;
}

/** A sender and its burst. */
export interface Sender extends Party {
  burst: Burst;
}

/** How a trio is made. */
export interface TrioOptions {
  /** Makes the clients. */
  make: MakeClient;
  /** Frames per sender, the last one sent with `deliver()`. Default 10,000. */
  frames?: number;
  /** Frames each sender writes per tick. Default 10. */
  perTick?: number;
  /** Milliseconds between ticks. Default 5 (with `perTick` 10: 2,000 frames a second). */
  everyMs?: number;
  /** Options of the receiver, over the defaults. */
  receiver?: ClientOptions;
  /** Options of the senders, over the defaults. */
  senders?: ClientOptions;
}

/** Error codes a fault may make a client report on its way back: none of them loses a frame. */
export const FAULT_CODES: readonly string[] = ["CONNECTION_ERROR"];

/**
 * Why `got` (the numbers a receiver handled from `sender`, in order) is not `expected` (the
 * numbers it should have handled, rising), each once and in order; `undefined` when it is.
 *
 * @example
 * ```ts
 * onceInOrder([0, 1, 1, 2], [0, 1, 2], "S1"); // "S1's frame 1 was handled twice (…)"
 * ```
 */
export function onceInOrder(
  got: readonly number[],
  expected: readonly number[],
  sender: string,
): string | undefined {
  const wanted = new Set(expected);
  const seenAt = new Map<number, number>();
  let highest: number | undefined;
  for (const [i, n] of got.entries()) {
    const before = seenAt.get(n);
    if (before !== undefined) {
      return `${sender}'s frame ${n} was handled twice (as arrivals ${before} and ${i} from ${sender})`;
    }
    if (highest !== undefined && n < highest) {
      return `${sender}'s frame ${n} was handled after its frame ${highest} (arrival ${i} from ${sender})`;
    }
    if (!wanted.has(n)) {
      return `${sender}'s frame ${n} was handled, but it should not have been (arrival ${i} from ${sender})`;
    }
    seenAt.set(n, i);
    highest = n;
  }
  const missing = expected.filter((n) => !seenAt.has(n));
  if (missing.length === 0) return undefined;
  return `${missing.length} of ${sender}'s ${expected.length} frames were never handled, the first ${missing[0]} (handled ${got.length})`;
}

/** The codes of `party`'s errors that are not among `allowed`, with their messages. */
export function unexpectedErrors(party: Party, allowed: readonly string[] = FAULT_CODES): string[] {
  return party.events.errors
    .filter((error) => !allowed.includes(error.code))
    .map((error) => `${party.name}: ${error.code}: ${error.message}`);
}

/** The counts of `MISSED_FRAMES` errors `party` reported. */
export function missedCounts(party: Party): number[] {
  return party.events.errors.flatMap((error: ClientError) =>
    error.code === "MISSED_FRAMES" && "count" in error && typeof error.count === "number"
      ? [error.count]
      : [],
  );
}

/** Three senders writing numbered bursts to one receiver. */
export class Trio {
  readonly receiver: Party;
  /** What the receiver's application handled, by sender. */
  readonly deliveries: Deliveries;
  readonly senders: Sender[];
  /** Frames per sender. */
  readonly frames: number;
  #receipts: Array<Promise<Receipt>> | undefined;

  constructor(options: TrioOptions) {
    this.frames = options.frames ?? 10_000;
    const plan = {
      total: this.frames - 1,
      perTick: options.perTick ?? 10,
      everyMs: options.everyMs ?? 5,
    };
    const party = (name: string, extra: ClientOptions | undefined): Party => {
      const events = new Recorder();
      const client = options.make(name, {
        ...FAST,
        logger: events.logger,
        ...extra,
        autoConnect: false,
      });
      events.attach(client);
      return { name, client, events };
    };
    this.receiver = party(RECEIVER, options.receiver);
    this.deliveries = new Deliveries(this.receiver.client, this.receiver.events);
    this.senders = SENDERS.map((name) => {
      const sender = party(name, options.senders);
      return { ...sender, burst: new Burst(sender.client, [RECEIVER], plan, sender.events) };
    });
  }

  /** The receiver and the senders. */
  get everyone(): Party[] {
    return [this.receiver, ...this.senders];
  }

  /** Connects everyone and waits until each has identified. */
  async connect(timeout = 10_000): Promise<void> {
    for (const { client } of this.everyone) client.connectToSocket();
    await Promise.all(this.everyone.map(({ events }) => events.identifiedTimes(1, timeout)));
  }

  /** Starts the bursts. */
  start(): void {
    for (const { burst } of this.senders) burst.start();
  }

  /** Stops the bursts and closes every client (cleanup). */
  close(): void {
    for (const { burst } of this.senders) burst.stop();
    for (const { client } of this.everyone) client.close();
  }

  /** Resolves once every sender has written `count` frames of its burst. */
  written(count: number, timeout = 20_000): Promise<void> {
    return eventually(
      () => this.senders.every(({ burst }) => burst.written >= count),
      `${count} frames written by every sender (have ${this.senders.map(({ burst }) => burst.written).join(", ")})`,
      timeout,
    );
  }

  /** Resolves once the receiver has handled `count` frames from every sender. */
  handled(count: number, timeout = 20_000): Promise<void> {
    return this.receiver.events
      .until(
        () => this.senders.every(({ name }) => this.deliveries.from(name).length >= count),
        `${count} frames handled from every sender (have ${this.counts()})`,
        timeout,
      )
      .then(() => undefined);
  }

  /** How many frames the receiver handled from each sender, for messages. */
  counts(): string {
    return this.senders
      .map(({ name }) => `${name} ${this.deliveries.from(name).length}`)
      .join(", ");
  }

  /**
   * Once every burst is written, sends each sender's last frame with `deliver()` (once) and
   * resolves with their receipts.
   */
  async last(timeout = 30_000): Promise<Receipt[]> {
    if (this.#receipts === undefined) {
      await eventually(
        () => this.senders.every(({ burst }) => burst.done),
        "every burst written",
        timeout,
      );
      this.#receipts = this.senders.map(({ client, burst }) =>
        client.deliver(burst.frame(this.frames - 1), { timeout }),
      );
    }
    return Promise.all(this.#receipts);
  }

  /**
   * Resolves once every sender has written its whole burst and its last frame, and the relay
   * has acked all of them: no sender holds any frame of its burst any more.
   */
  async acked(timeout = 30_000): Promise<void> {
    this.last(timeout).catch(() => undefined); // Awaited by expectEveryFrameOnce.
    await eventually(
      () =>
        this.#receipts !== undefined &&
        this.senders.every(
          ({ client }) =>
            client.state === "identified" &&
            client.queuedFrames === 0 &&
            client.unconfirmedFrames === 0,
        ),
      `every burst written and acked (queued ${this.senders.map(({ client }) => client.queuedFrames).join(", ")}; unacked ${this.senders.map(({ client }) => client.unconfirmedFrames).join(", ")})`,
      timeout,
    );
  }

  /**
   * Waits until the receiver confirmed every sender's last frame, then throws unless the
   * receiver's application handled every frame of every sender once, in order, and no client
   * reported an error other than those in `allowed`.
   */
  async expectEveryFrameOnce(timeout = 30_000, allowed: readonly string[] = FAULT_CODES) {
    let receipts: Receipt[];
    try {
      receipts = await this.last(timeout);
    } catch (error) {
      const problems = this.problems();
      throw new Error(
        `the last frames were not confirmed (${String(error)}); handled ${this.counts()}${problems.length > 0 ? `; ${problems.join("; ")}` : ""}`,
      );
    }
    const unconfirmed = receipts.filter((receipt) => receipt.status[RECEIVER] !== "confirmed");
    const problems = [
      ...unconfirmed.map((receipt) => `last frame's receipt: ${JSON.stringify(receipt.status)}`),
      ...this.problems(),
      ...this.everyone.flatMap((party) => unexpectedErrors(party, allowed)),
    ];
    if (problems.length > 0) throw new Error(problems.join("\n"));
  }

  /** What is wrong with the frames handled so far, per sender, against the whole burst. */
  problems(expected: (sender: string) => readonly number[] = () => range(this.frames)): string[] {
    return this.senders.flatMap(({ name }) => {
      const problem = onceInOrder(this.deliveries.from(name), expected(name), name);
      return problem === undefined ? [] : [problem];
    });
  }
}
