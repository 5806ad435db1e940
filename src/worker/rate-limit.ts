/**
 * The per-socket frame rate limit: a token bucket, kept in memory. A room that hibernates
 * has been idle, so its buckets would be full anyway.
 *
 * @module
 */

import type { Limits } from "wscomsrv-protocol";

/** What to do with a frame. */
export type RateVerdict = "pass" | "first-drop" | "drop" | "close";

/** A token bucket: what is left, and when it was last refilled (ms since 1970). */
interface Bucket {
  tokens: number;
  updated: number;
}

/** Refills `bucket` for the time since its last refill, at `perSecond`, up to `size`. */
function refill(bucket: Bucket, now: number, size: number, perSecond: number): void {
  if (now <= bucket.updated) return;
  bucket.tokens = Math.min(size, bucket.tokens + ((now - bucket.updated) * perSecond) / 1000);
  bucket.updated = now;
}

interface SocketBucket extends Bucket {
  dropped: number;
}

/** One token bucket per socket. */
export class RateLimiter {
  readonly #buckets = new WeakMap<object, SocketBucket>();
  readonly #limits: Pick<Limits, "framesPerSecond" | "frameBurst" | "maxDroppedFrames">;

  /** Uses `framesPerSecond`, `frameBurst` and `maxDroppedFrames`. */
  constructor(limits: Pick<Limits, "framesPerSecond" | "frameBurst" | "maxDroppedFrames">) {
    this.#limits = limits;
  }

  /**
   * Takes `count` tokens (default 1) for frames from `socket`. `first-drop` is the first frame dropped in an
   * episode (report it), `drop` the following ones, `close` the one that makes the episode's
   * drops exceed `maxDroppedFrames`. An episode ends when the bucket is half full again.
   */
  take(socket: object, now: number, count = 1): RateVerdict {
    const { framesPerSecond, frameBurst, maxDroppedFrames } = this.#limits;
    let bucket = this.#buckets.get(socket);
    if (bucket === undefined) {
      bucket = { tokens: frameBurst, updated: now, dropped: 0 };
      this.#buckets.set(socket, bucket);
    } else {
      refill(bucket, now, frameBurst, framesPerSecond);
    }
    // An episode of dropping ends once the sender has let the bucket fill halfway again.
    if (bucket.dropped > 0 && bucket.tokens >= frameBurst / 2) bucket.dropped = 0;
    if (bucket.tokens >= count) {
      bucket.tokens -= count;
      return "pass";
    }
    bucket.dropped += 1;
    if (bucket.dropped > maxDroppedFrames) return "close";
    return bucket.dropped === 1 ? "first-drop" : "drop";
  }
}

/**
 * A room-wide budget of failures (wrong passwords from all sockets together): `perMinute`
 * of them at once, refilled at `perMinute` a minute. Kept in memory: a room under attack is
 * awake, and one that hibernated was quiet.
 */
export class FailureBudget {
  readonly #perMinute: number;
  readonly #bucket: Bucket;

  /** A full budget of `perMinute` failures. */
  constructor(perMinute: number) {
    this.#perMinute = perMinute;
    this.#bucket = { tokens: perMinute, updated: 0 };
  }

  #left(now: number): number {
    refill(this.#bucket, now, this.#perMinute, this.#perMinute / 60);
    return this.#bucket.tokens;
  }

  /** True when no failure is left: the room stops checking for a while. */
  exhausted(now: number): boolean {
    return this.#left(now) < 1;
  }

  /** Counts one failure. */
  fail(now: number): void {
    this.#bucket.tokens = Math.max(0, this.#left(now) - 1);
  }

  /** Milliseconds until one failure is allowed again. */
  retryAfterMs(now: number): number {
    const left = this.#left(now);
    return left >= 1 ? 0 : Math.ceil(((1 - left) * 60_000) / this.#perMinute);
  }
}
