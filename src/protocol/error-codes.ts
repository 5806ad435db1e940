/**
 * Stable error codes the relay puts in error frames (`data.code`). Never renamed; new ones may
 * be added. `docs/protocol.md` lists each with its meaning.
 *
 * @module
 */

/** Every error code the relay sends. */
export const ErrorCode = {
  /** The frame was not valid JSON. */
  badJson: "BAD_JSON",
  /** The frame was JSON but not an object. */
  notAnObject: "NOT_AN_OBJECT",
  /** A field is missing or has the wrong type (the message says which). */
  badEnvelope: "BAD_ENVELOPE",
  /** `target` is missing, empty, not a string or list of strings, or too long. */
  badTarget: "BAD_TARGET",
  /** A binary frame: the protocol is JSON in text frames. */
  binaryFrame: "BINARY_FRAME",
  /** The frame is larger than the room's frame size limit. */
  frameTooLarge: "FRAME_TOO_LARGE",
  /** The JSON nests deeper than the room allows. */
  tooDeep: "TOO_DEEP",
  /** A frame addressed to `server` that is not a command. */
  notACommand: "NOT_A_COMMAND",
  /** A command to `server` that the relay does not know. */
  unknownCommand: "UNKNOWN_COMMAND",
  /** A command to `server` that the relay refuses (`close_socket`). */
  forbiddenCommand: "FORBIDDEN_COMMAND",
  /** Some targets were not connected; `data.targets` names them. The others got the frame. */
  undelivered: "UNDELIVERED",
  /** The identify named no valid name (the message says why). */
  badName: "BAD_NAME",
  /** The name is held by another connected client. */
  nameTaken: "NAME_TAKEN",
  /** The socket is already identified under another name. */
  alreadyIdentified: "ALREADY_IDENTIFIED",
  /** The password was missing or wrong. */
  badPassword: "BAD_PASSWORD",
  /** The socket's token is for another name than the one it tried to identify as. */
  nameMismatch: "NAME_MISMATCH",
  /** The socket sends faster than the room allows; the frame was dropped. */
  rateLimited: "RATE_LIMITED",
  /** A batch frame whose `data` is not a list of 1 to `maxBatchFrames` frame objects. */
  badBatch: "BAD_BATCH",
  /**
   * The frame would cost the room more than one event may (`maxEventDeliveries` or
   * `maxEventBytes`); it was delivered to no one.
   */
  costLimit: "COST_LIMIT",
} as const;

/** One of {@link ErrorCode}. */
export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * WebSocket close codes the relay uses. 1000-range codes are the standard ones;
 * 4000-range codes are the relay's own. A client should not reconnect after the codes
 * listed in {@link FATAL_CLOSE_CODES}.
 */
export const CloseCode = {
  /** Normal closure. */
  normal: 1000,
  /** The relay is going away (restart, redeploy); reconnecting is right. */
  goingAway: 1001,
  /** Reported for a close frame without a code; never sent. */
  noStatus: 1005,
  /** Reported for a connection lost without a close frame; never sent. */
  abnormal: 1006,
  /** A protocol-level violation the relay will not tolerate. */
  policyViolation: 1008,
  /** The relay hit an unexpected error handling this socket; reconnecting is right. */
  internalError: 1011,
  /**
   * Try again later: a client with the `acks` capability went over the rate limit. The relay
   * closes instead of dropping frames silently, as a later ack would confirm the dropped ones.
   */
  tryAgainLater: 1013,
  /** Too many wrong passwords on this socket. */
  badPassword: 4001,
  /** The identify named no valid name. */
  badName: 4002,
  /** The socket's token names another name than the identify did. */
  nameMismatch: 4003,
  /** The socket did not identify in time. */
  identifyTimeout: 4008,
  /** The name is held by another connected client. */
  nameTaken: 4009,
  /** Another socket proved it is this client and took the name over. */
  replaced: 4010,
  /** The socket's heartbeats stopped; the relay took it for dead. */
  heartbeatTimeout: 4011,
  /**
   * The socket did not read what the room sent it: more than `maxSocketBacklogBytes` went
   * out without the client answering the room's `indentify`. Reconnecting is right.
   */
  notReading: 4012,
} as const;

/** Close codes after which reconnecting with the same settings cannot help. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set<number>([
  CloseCode.policyViolation,
  CloseCode.badPassword,
  CloseCode.badName,
  CloseCode.nameMismatch,
  CloseCode.nameTaken,
  CloseCode.replaced,
]);
