/**
 * The frames the bench sends: an application frame of type `"bench"` whose data holds a
 * sequence number (to find lost or reordered frames), the send time (for latencies) and
 * padding (for the payload size).
 *
 * @module
 */

/** The frame type of bench frames. */
export const BENCH_TYPE = "bench";

/** What a receiver reads from a bench frame. */
export interface BenchStamp {
  /** Position in the sender's stream, from 0. */
  seq: number;
  /** `performance.now()` in the harness when it was sent. */
  t: number;
}

/**
 * A bench frame, in the seed's envelope.
 *
 * @example
 * ```ts
 * client.send(benchFrame("A", ["B"], 0, performance.now(), "x".repeat(64)));
 * ```
 */
export function benchFrame(
  from: string,
  target: string | string[],
  seq: number,
  t: number,
  pad: string,
): object {
  return { type: BENCH_TYPE, data: { seq, t, pad }, from, target };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * `bytes` ASCII letters and digits, the same every time: pseudo-random, so that a connection
 * with `permessage-deflate` neither shrinks the payload to nothing nor skips the work.
 *
 * @example
 * ```ts
 * padding(64).length; // 64
 * ```
 */
export function padding(bytes: number): string {
  let state = 0x2545f491;
  let text = "";
  for (let i = 0; i < bytes; i += 1) {
    // xorshift32: cheap, deterministic, good enough to defeat a dictionary.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    text += ALPHABET[(state >>> 0) % ALPHABET.length];
  }
  return text;
}

/** The UTF-8 size of a bench frame as the client hands it over (the frame's JSON text). */
export function benchFrameBytes(from: string, target: string | string[], pad: string): number {
  return Buffer.byteLength(JSON.stringify(benchFrame(from, target, 1_000_000, 123_456.789, pad)));
}

/** The stamp of a bench frame's `data`, or `undefined` when it is not one. */
export function readStamp(data: unknown): BenchStamp | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  if (!("seq" in data) || !("t" in data)) return undefined;
  const { seq, t } = data;
  if (typeof seq !== "number" || typeof t !== "number") return undefined;
  return { seq, t };
}
