/**
 * The limits the bench starts the relay with. The relay's per-socket rate limit (by default
 * 5,000 frames per second, bursts of 10,000, a socket closed after 1,000 dropped frames) exists
 * to stop abuse, and would cap a throughput bench at the limit instead of the relay's speed;
 * the socket counts would refuse the idle-memory and connect scenarios. Every other limit
 * keeps the relay's default.
 *
 * @module
 */

import type { Limits } from "wscomsrv-protocol";

/** Raised limits for the bench; everything not named here is the relay's default. */
export const BENCH_RELAY_LIMITS = {
  framesPerSecond: 1_000_000_000,
  frameBurst: 1_000_000_000,
  maxDroppedFrames: 1_000_000_000,
  maxConnections: 100_000,
  maxUnidentified: 100_000,
} as const satisfies Partial<Limits>;
