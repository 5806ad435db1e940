/**
 * Heartbeats (capability `heartbeat`): a beat every interval while identified, and a
 * connection that has heard nothing for two intervals is taken for dead. A half-open TCP
 * connection never says so by itself.
 *
 * @module
 */

/**
 * The heartbeat timer of a client, and when it last heard from the relay.
 *
 * @example
 * ```ts
 * const heartbeat = new Heartbeat(15_000);
 * heartbeat.start(() => socket.send(HEARTBEAT_REQUEST), () => dropAndReconnect());
 * socket.addEventListener("message", () => heartbeat.heard());
 * ```
 */
export class Heartbeat {
  /** Milliseconds between beats; 0 means none. */
  readonly interval: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;

  /** @param interval - Milliseconds between beats (the `heartbeatInterval` option). */
  constructor(interval: number) {
    this.interval = interval;
  }

  /** Notes that something arrived from the relay. */
  heard(): void {
    this.#lastHeard = Date.now();
  }

  /**
   * Beats every interval until {@link stop}: calls `beat`, or `dead` (once, and stops) when
   * nothing was heard for two intervals.
   */
  start(beat: () => void, dead: () => void): void {
    this.stop();
    if (this.interval <= 0) return;
    this.#lastHeard = Date.now();
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastHeard >= 2 * this.interval) {
        this.stop();
        dead();
      } else {
        beat();
      }
    }, this.interval);
  }

  /** Stops beating. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
