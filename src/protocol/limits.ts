/**
 * The limits a room enforces, with their defaults. Every limit is checked before the frame or
 * socket costs the room real work.
 *
 * @module
 */

/** Limits on sockets and frames. Every field is documented with its default. */
export interface Limits {
  /** Largest frame the relay accepts, in UTF-8 bytes. Default 1 MiB (1,048,576). */
  maxFrameBytes: number;
  /** Deepest nesting of arrays and objects in a frame. Default 32. */
  maxDepth: number;
  /** Most entries in a `target` list. Default 256. */
  maxTargets: number;
  /** Most frames in one `batch` frame. Default 1,000. */
  maxBatchFrames: number;
  /** Longest client name, in characters (at most 64, the protocol's own bound). Default 64. */
  maxNameLength: number;
  /** Wrong passwords a socket may send before it is closed with 4001. Default 3. */
  maxPasswordTries: number;
  /**
   * Frames per second a socket may send, on average (token bucket refill). Each frame inside a
   * batch counts. Default 5,000.
   */
  framesPerSecond: number;
  /**
   * Frames a socket may send at once above the average (token bucket size). Default 20,000:
   * a data logger's burst of 20,000 frames passes whole.
   */
  frameBurst: number;
  /**
   * Frames dropped for the rate limit, in one episode, before the socket is closed with 1008.
   * The first dropped frame of an episode gets a `RATE_LIMITED` error; an episode ends when the
   * bucket is half full again. Default 1,000.
   */
  maxDroppedFrames: number;
  /** Sockets in one room at once; more get HTTP 503. Default 5,000. */
  maxConnections: number;
  /** Sockets in one room that have not identified yet; more get HTTP 429. Default 256. */
  maxUnidentified: number;
  /** Milliseconds a socket has to identify before it is closed with 4008. Default 10,000. */
  identifyTimeoutMs: number;
  /**
   * Milliseconds without a heartbeat after which a socket with the `heartbeat` capability is
   * taken for dead, closed with 4011 and its name freed. Default 45,000.
   */
  heartbeatTimeoutMs: number;
  /**
   * How often, at most, the room wakes up to look for sockets whose heartbeats stopped, in
   * milliseconds. A room wakes for nothing else while it is idle; a dead socket's name is
   * freed sooner whenever someone needs it (an identify for the name, a frame to it, a roster
   * request). At least 600,000 (10 minutes). Default 900,000 (15 minutes).
   */
  heartbeatSweepMs: number;
  /**
   * Deliveries (one frame to one recipient) that one incoming event (a frame or a batch) may
   * cause. A frame that would go past it is refused with `COST_LIMIT` and delivered to no one.
   * Default 50,000.
   */
  maxEventDeliveries: number;
  /**
   * Characters (UTF-16 code units: one per byte of ASCII) that one incoming event may make the
   * room send, to all recipients together, server answers included. A frame that would go
   * past it is refused with `COST_LIMIT`. Default 16,777,216 (16 MiB).
   */
  maxEventBytes: number;
  /**
   * Characters the room may have sent to one socket that has not shown it reads them. Past a
   * quarter of it the room asks the socket to identify again (the seed's own `indentify`; a
   * client answers after reading everything before it); past all of it, the socket is closed
   * with 4012. Default 16,777,216 (16 MiB).
   */
  maxSocketBacklogBytes: number;
  /**
   * Milliseconds a client asking for a held name, without proof, waits while the relay asks
   * the holder whether it is still there (the seed's `indentify`). A holder that stays silent
   * loses the name to the newcomer; a holder that answers keeps it, and the newcomer is refused
   * (4009) when the wait ends. Default 1,500 (longer than the second within which the seed's
   * client gives up on a connection for good).
   */
  takeoverProbeMs: number;
  /**
   * Wrong passwords the whole room takes per minute, from all sockets together, before it
   * stops checking passwords for a while (every identify with a password is then refused with
   * `RATE_LIMITED` and closed with 1013). Default 30.
   */
  passwordFailuresPerMinute: number;
  /**
   * Milliseconds a name's resume secret is kept after the name was last held. A name not seen
   * for longer is forgotten. Default 604,800,000 (7 days).
   */
  nameRetentionMs: number;
  /**
   * Milliseconds the room keeps frames for a name with the `delivery` capability while no
   * client holds it (the mail window). When it ends, the frames are dropped, their senders
   * that asked for receipts get `expired`, and the name learns how many it missed when it
   * comes back. Default 120,000 (2 minutes).
   */
  mailWindowMs: number;
  /**
   * Frames the room keeps for one name (sent and not yet confirmed, or kept while it is away).
   * A frame past it is not delivered to that name: its sender gets `overflow`, the name learns
   * it missed it. Default 50,000.
   */
  maxMailFrames: number;
  /**
   * Characters of frames the room keeps for one name. Default 8,388,608 (8 MiB): a name coming
   * back is sent all of it at once, well within `maxSocketBacklogBytes`.
   */
  maxMailBytes: number;
  /** Frames the room keeps for all names together. Default 500,000. */
  maxRoomMailFrames: number;
  /** Characters of frames the room keeps for all names together. Default 268,435,456 (256 MiB). */
  maxRoomMailBytes: number;
}

/** The default {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 1_048_576,
  maxDepth: 32,
  maxTargets: 256,
  maxBatchFrames: 1_000,
  maxNameLength: 64,
  maxPasswordTries: 3,
  framesPerSecond: 5_000,
  frameBurst: 20_000,
  maxDroppedFrames: 1_000,
  maxConnections: 5_000,
  maxUnidentified: 256,
  identifyTimeoutMs: 10_000,
  heartbeatTimeoutMs: 45_000,
  heartbeatSweepMs: 900_000,
  maxEventDeliveries: 50_000,
  maxEventBytes: 16_777_216,
  maxSocketBacklogBytes: 16_777_216,
  takeoverProbeMs: 1_500,
  passwordFailuresPerMinute: 30,
  nameRetentionMs: 604_800_000,
  mailWindowMs: 120_000,
  maxMailFrames: 50_000,
  maxMailBytes: 8_388_608,
  maxRoomMailFrames: 500_000,
  maxRoomMailBytes: 268_435_456,
});

/** The shortest {@link Limits.heartbeatSweepMs}: 10 minutes. */
export const MIN_HEARTBEAT_SWEEP_MS = 600_000;

/** The names of the {@link Limits}. */
export type LimitName = keyof Limits;

const LIMIT_NAMES: ReadonlySet<string> = new Set(Object.keys(DEFAULT_LIMITS));

/** True when `key` names a limit. */
export function isLimitName(key: string): key is LimitName {
  return LIMIT_NAMES.has(key);
}

/**
 * Reads limits from untrusted configuration (for example the `LIMITS` variable as JSON):
 * known keys with positive integer values override the defaults.
 *
 * @returns the limits, or a sentence naming the first bad key.
 */
export function parseLimits(input: unknown): Limits | string {
  const limits: Limits = { ...DEFAULT_LIMITS };
  if (input === undefined || input === null) return limits;
  if (typeof input !== "object" || Array.isArray(input)) return "limits must be a JSON object";
  for (const [key, value] of Object.entries(input)) {
    if (!isLimitName(key)) return `unknown limit "${key}"`;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      return `limit "${key}" must be a positive integer`;
    }
    limits[key] = value;
  }
  if (limits.frameBurst < limits.maxBatchFrames) {
    return `limit "frameBurst" must be at least "maxBatchFrames" (${limits.maxBatchFrames}), or a full batch could never pass`;
  }
  if (limits.heartbeatSweepMs < MIN_HEARTBEAT_SWEEP_MS) {
    return `limit "heartbeatSweepMs" must be at least ${MIN_HEARTBEAT_SWEEP_MS} (10 minutes), or idle rooms would wake up often`;
  }
  if (limits.maxEventBytes < limits.maxFrameBytes) {
    return `limit "maxEventBytes" must be at least "maxFrameBytes" (${limits.maxFrameBytes}), or a large frame could never be delivered`;
  }
  if (limits.maxSocketBacklogBytes < limits.maxFrameBytes) {
    return `limit "maxSocketBacklogBytes" must be at least "maxFrameBytes" (${limits.maxFrameBytes})`;
  }
  if (limits.maxMailBytes < limits.maxFrameBytes) {
    return `limit "maxMailBytes" must be at least "maxFrameBytes" (${limits.maxFrameBytes}), or a large frame could never be kept`;
  }
  if (
    limits.maxRoomMailFrames < limits.maxMailFrames ||
    limits.maxRoomMailBytes < limits.maxMailBytes
  ) {
    return `limits "maxRoomMailFrames" and "maxRoomMailBytes" must be at least "maxMailFrames" and "maxMailBytes"`;
  }
  if (limits.maxNameLength > DEFAULT_LIMITS.maxNameLength) {
    return `limit "maxNameLength" may not exceed ${DEFAULT_LIMITS.maxNameLength}`;
  }
  return limits;
}
