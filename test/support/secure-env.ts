/**
 * The configuration of the `secure` test project: a relay with every security option set
 * and small limits, so that each can be exercised quickly.
 */

/** A token signing key of the test relay. */
export const TEST_KEY = { id: "k1", secret: "test-secret-0123456789-abcdefghijklmnop" };

/** A second key, as after a rotation. */
export const ROTATED_KEY = { id: "k2", secret: "rotated-secret-0123456789-abcdefghijkl" };

/** The room password of the test relay's password rooms. */
export const TEST_PASSWORD = "s3cret-pw";

/** The browser origin the test relay allows. */
export const ALLOWED_ORIGIN = "https://console.example";

/** The small limits of the test relay. */
export const TEST_LIMITS = {
  framesPerSecond: 50,
  frameBurst: 50,
  maxBatchFrames: 50,
  maxDroppedFrames: 20,
  maxConnections: 8,
  maxUnidentified: 4,
  identifyTimeoutMs: 400,
  heartbeatTimeoutMs: 800,
  maxNameLength: 16,
  takeoverProbeMs: 150,
  passwordFailuresPerMinute: 6,
};

/**
 * The limits by room of the test relay: rooms named `tight-…` take fewer names and sockets
 * than `TEST_LIMITS` allow; every other limit of theirs is `TEST_LIMITS`'.
 */
export const TEST_ROOM_LIMITS = { "tight-*": { maxNameLength: 6, maxConnections: 3 } };

/**
 * The limits of the `worker` test project: the defaults, but for a short wait for an answer
 * from a name's holder, so that the many tests of held names stay quick. The default wait is
 * tested against the local relay.
 */
export const WORKER_LIMITS = { takeoverProbeMs: 150 };

/**
 * Rooms of the `worker` test project with limits of their own: small mail (`smallmail-…`),
 * events that may deliver to two sockets at most (`tinyevent-…`), two frames of rate limit
 * per socket and one a second after them (`tinyrate-…`).
 */
export const WORKER_ROOM_LIMITS = {
  "smallmail-*": { maxMailFrames: 3 },
  "tinyevent-*": { maxEventDeliveries: 2 },
  "tinyrate-*": { framesPerSecond: 1, frameBurst: 2, maxBatchFrames: 1 },
};

/** The Worker variables of the `worker` test project. */
export const WORKER_BINDINGS: Record<string, string> = {
  LIMITS: JSON.stringify(WORKER_LIMITS),
  ROOM_LIMITS: JSON.stringify(WORKER_ROOM_LIMITS),
};

/** The Worker variables and secrets of the test relay. */
export const SECURE_BINDINGS: Record<string, string> = {
  TOKEN_KEYS: JSON.stringify({
    [TEST_KEY.id]: TEST_KEY.secret,
    [ROTATED_KEY.id]: ROTATED_KEY.secret,
  }),
  ROOM_PASSWORD: TEST_PASSWORD,
  ALLOWED_ORIGINS: `${ALLOWED_ORIGIN}, https://other.example`,
  ROOM_POLICY: JSON.stringify({ "tok-*": "token", "pw-*": "password", "*": "open" }),
  LIMITS: JSON.stringify(TEST_LIMITS),
  ROOM_LIMITS: JSON.stringify(TEST_ROOM_LIMITS),
};
