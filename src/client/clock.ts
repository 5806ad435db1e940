/**
 * The relay's clock, as the client estimates it: `ping` samples of the relay's time (its
 * `pong` carries `time`, the relay's clock at the start of the event that read the ping),
 * taken at identify and every 30 s after, and the estimate of the offset between the relay's
 * clock and the local one, with its bound, from the sample with the lowest round trip.
 *
 * A sample is sent at local time `t0` and answered at `t1`; the relay read its clock at some
 * moment between the two, so with `rtt = t1 - t0` the offset is `relay - (t0 + rtt / 2)`,
 * wrong by at most `rtt / 2` (however the delay splits between the two ways), plus the
 * millisecond resolution of the clocks read ({@link RESOLUTION_MS}).
 *
 * @module
 */

import { Command, commandMessage, type Json, type JsonObject, SERVER } from "wscomsrv-protocol";
import type { ClockEstimate } from "./events.js";
import type { ConnectionPart, Session } from "./lifecycle.js";
import type { Connection } from "./transport.js";

/** Samples taken at each identify. */
const BURST_SAMPLES = 5;
/** The spacing of the samples taken at identify, in ms. */
const BURST_SPACING_MS = 50;
/** The spacing of the samples after those, while identified, in ms (30 s). */
const SAMPLE_INTERVAL_MS = 30_000;
/** How many of the latest samples the estimate is chosen from (the one with the lowest round trip). */
const WINDOW = 16;
/**
 * Added to half the round trip in the bound: three clock readings (the local clock at the
 * send and at the answer, the relay's in between) each in whole milliseconds.
 */
const RESOLUTION_MS = 1.5;
/** A ping whose pong has not come in this long is given up, in ms. */
const PING_TIMEOUT_MS = 30_000;

/**
 * What the clock needs from its client.
 *
 * @example
 * ```ts
 * const host: ClockHost = { name: "gui", now: Date.now, send: (c, text) => true, moved: console.log };
 * ```
 */
export interface ClockHost {
  /** The client's name (the `from` of its pings). */
  readonly name: string;
  /** The local clock, in ms since 1970. */
  readonly now: () => number;
  /** Sends `text` on `connection` if it is still the identified one; false otherwise. */
  send(connection: Connection, text: string): boolean;
  /** The estimate moved by more than its bound (or is the first one). */
  moved(estimate: ClockEstimate): void;
}

function randomPart(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Samples the relay's clock while identified and keeps the estimate. Its pings carry a
 * `token` kwarg of the form `clock-<random>-<n>`; the pongs with such a token are its own and
 * reach no hook.
 *
 * @example
 * ```ts
 * const clock = new Clock({ name: "gui", now: Date.now, send, moved: (e) => console.log(e) });
 * lifecycle.attach(clock);
 * clock.estimate?.offset;
 * ```
 */
export class Clock implements ConnectionPart {
  readonly #host: ClockHost;
  readonly #prefix = `clock-${randomPart()}-`;
  /** Pings waiting for their pong: token to the local time it was sent. */
  readonly #pending = new Map<string, number>();
  /** The latest samples (at most {@link WINDOW}), oldest first. */
  #recent: ClockEstimate[] = [];
  #taken = 0;
  #estimate: ClockEstimate | undefined;
  /** The estimate the last `clock` event told. */
  #told: ClockEstimate | undefined;
  #connection: Connection | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #burst = 0;

  constructor(host: ClockHost) {
    this.#host = host;
  }

  /** The current estimate; `undefined` until the first sample. */
  get estimate(): ClockEstimate | undefined {
    return this.#estimate;
  }

  /** How many samples the estimate is chosen from. */
  get samples(): number {
    return this.#recent.length;
  }

  /** The relay's clock now, in ms since 1970: the local clock until the first sample. */
  serverNow(): number {
    return this.#host.now() + (this.#estimate?.offset ?? 0);
  }

  /**
   * Starts sampling on an identified connection to a relay that acknowledged the identify
   * (a seed server knows no `ping`: it granted nothing).
   */
  identified({ connection, granted }: Session): void {
    this.#stop();
    if (granted.length === 0) return;
    this.#connection = connection;
    this.#burst = 0;
    this.#sample();
  }

  ended(): undefined {
    this.#stop();
    return undefined;
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#connection = undefined;
    this.#pending.clear();
  }

  /** Sends one ping and schedules the next. */
  #sample(): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    this.#taken += 1;
    const token = `${this.#prefix}${this.#taken}`;
    const text = JSON.stringify(commandMessage(Command.ping, this.#host.name, SERVER, { token }));
    const now = this.#host.now();
    for (const [old, sentAt] of this.#pending) {
      if (now - sentAt > PING_TIMEOUT_MS) this.#pending.delete(old);
    }
    this.#pending.set(token, now);
    if (!this.#host.send(connection, text)) {
      this.#stop();
      return;
    }
    this.#burst += 1;
    const delay = this.#burst < BURST_SAMPLES ? BURST_SPACING_MS : SAMPLE_INTERVAL_MS;
    this.#timer = setTimeout(() => this.#sample(), delay);
  }

  /**
   * Takes a `pong` from the relay (its kwargs): a sample when it answers one of the clock's
   * pings.
   *
   * @returns true when the pong is the clock's own (it reaches no hook).
   */
  pong(kwargs: Readonly<JsonObject>): boolean {
    const token: Json | undefined = kwargs.token;
    if (typeof token !== "string" || !token.startsWith(this.#prefix)) return false;
    const receivedAt = this.#host.now();
    const sentAt = this.#pending.get(token);
    this.#pending.delete(token);
    const time = kwargs.time;
    if (sentAt === undefined || typeof time !== "number" || !Number.isFinite(time)) return true;
    const rtt = Math.max(0, receivedAt - sentAt);
    // `time` is in seconds, a float: the relay's milliseconds, kept.
    const offset = time * 1000 - (sentAt + rtt / 2);
    this.#add({ offset, rtt, bound: rtt / 2 + RESOLUTION_MS });
    return true;
  }

  #add(sample: ClockEstimate): void {
    const best = this.#estimate;
    // Both cannot be right: a clock jumped (the local one, set by hand or by NTP). The old
    // samples measured another clock: start again from this one.
    if (best !== undefined && Math.abs(sample.offset - best.offset) > sample.bound + best.bound) {
      this.#recent = [];
    }
    this.#recent.push(sample);
    if (this.#recent.length > WINDOW) this.#recent.shift();
    let estimate = sample;
    for (const recent of this.#recent) if (recent.rtt < estimate.rtt) estimate = recent;
    this.#estimate = estimate;
    const told = this.#told;
    if (told === undefined || Math.abs(estimate.offset - told.offset) > estimate.bound) {
      const { offset, rtt, bound } = estimate;
      this.#told = { offset, rtt, bound };
      this.#host.moved({ offset, rtt, bound });
    }
  }
}
