/**
 * The errors the client reports through its error hooks. One small class per failure, all
 * sharing {@link ClientError}, each with a stable `code` from {@link ClientErrorCode}.
 *
 * A caller's mistake (a bad name, a bad option, a message that cannot be serialised) throws a
 * plain `TypeError` or `RangeError` at once instead; nothing here is ever thrown by the client.
 *
 * @module
 */

import type { DecodeError, ErrorData, FrameRef } from "../protocol/index.js";

/**
 * The stable codes of {@link ClientError}. Never renamed; new ones may be added.
 *
 * @example
 * ```ts
 * wsc.addOnError("overflow", (error) => {
 *   if (error.code === ClientErrorCode.queueOverflow) console.warn("slow down");
 * });
 * ```
 */
export const ClientErrorCode = {
  /** A received frame is not a valid envelope (see {@link InvalidFrameError.reason}). */
  invalidFrame: "INVALID_FRAME",
  /** A received frame has a `type` with no function registered by `addMessageType`. */
  unknownType: "UNKNOWN_TYPE",
  /** A received command has no function registered by `addCmdFunction`. */
  unknownCommand: "UNKNOWN_COMMAND",
  /** A command only the relay may send (`indentify`, `set_time`) came from a peer. */
  notFromRelay: "NOT_FROM_RELAY",
  /** A hook, command function or message type function threw or rejected. */
  handlerFailed: "HANDLER_FAILED",
  /** A frame did not fit in the send queue and was dropped. */
  queueOverflow: "QUEUE_OVERFLOW",
  /** `writeToSocket` was called after `close()`; the frame was dropped. */
  clientClosed: "CLIENT_CLOSED",
  /** The WebSocket reported an error (connection refused, reset, ...). */
  connectionError: "CONNECTION_ERROR",
  /** The relay closed the socket with a code after which reconnecting cannot help. */
  fatalClose: "FATAL_CLOSE",
  /** The relay reported an error in a `type: "error"` frame (see {@link RelayError.relayCode}). */
  relayError: "RELAY_ERROR",
} as const;

/**
 * One of {@link ClientErrorCode}.
 *
 * @example
 * ```ts
 * const code: ClientErrorCodeName = "QUEUE_OVERFLOW";
 * ```
 */
export type ClientErrorCodeName = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

const BRAND: unique symbol = Symbol.for("wscomsrv-client.ClientError");

/**
 * The base class of every error the client reports. `code` is stable; `message` is for humans.
 *
 * @example
 * ```ts
 * client.addOnError("log", (error) => {
 *   if (error.code === ClientErrorCode.queueOverflow) console.warn("slow down");
 * });
 * ```
 */
export class ClientError extends Error {
  /** A stable code from {@link ClientErrorCode}. */
  readonly code: ClientErrorCodeName;

  /** Marks instances for {@link isClientError}, which works across realms and bundles. */
  readonly [BRAND] = true;

  constructor(code: ClientErrorCodeName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ClientError";
    this.code = code;
  }
}

/**
 * True when `value` is a {@link ClientError}, also one made by another copy of this package.
 *
 * @example
 * ```ts
 * if (isClientError(value)) console.log(value.code);
 * ```
 */
export function isClientError(value: unknown): value is ClientError {
  return typeof value === "object" && value !== null && BRAND in value;
}

/**
 * A received frame is not a valid envelope; the frame is dropped.
 *
 * @example
 * ```ts
 * wsc.addOnError("bad", (error) => {
 *   if (error instanceof InvalidFrameError) console.warn(error.reason, error.ref);
 * });
 * ```
 */
export class InvalidFrameError extends ClientError {
  /** Why, as a code of the wire module's decoder (`BAD_JSON`, `BAD_ENVELOPE`, ...). */
  readonly reason: DecodeError["code"];
  /** What could be read of the frame. */
  readonly ref: FrameRef;

  constructor(error: DecodeError) {
    super(ClientErrorCode.invalidFrame, `invalid frame (${error.code}): ${error.message}`);
    this.name = "InvalidFrameError";
    this.reason = error.code;
    this.ref = error.ref;
  }
}

/**
 * A frame whose `type` has no registered function.
 *
 * @example
 * ```ts
 * wsc.addOnError("types", (error) => {
 *   if (error instanceof UnknownTypeError) wsc.addMessageType(error.type, () => {});
 * });
 * ```
 */
export class UnknownTypeError extends ClientError {
  /** The frame's type. */
  readonly type: string;
  /** The sender, when the frame named one. */
  readonly sender: string | undefined;

  constructor(type: string, sender: string | undefined) {
    super(
      ClientErrorCode.unknownType,
      `no function for message type "${type}" (from ${sender ?? "?"}); register one with addMessageType`,
    );
    this.name = "UnknownTypeError";
    this.type = type;
    this.sender = sender;
  }
}

/**
 * A command with no registered function.
 *
 * @example
 * ```ts
 * wsc.addOnError("commands", (error) => {
 *   if (error instanceof UnknownCommandError) console.warn(`${error.sender} sent ${error.command}`);
 * });
 * ```
 */
export class UnknownCommandError extends ClientError {
  /** The command's name. */
  readonly command: string;
  /** The sender, when the frame named one. */
  readonly sender: string | undefined;

  constructor(command: string, sender: string | undefined) {
    super(
      ClientErrorCode.unknownCommand,
      `no function for command "${command}" (from ${sender ?? "?"}); register one with addCmdFunction`,
    );
    this.name = "UnknownCommandError";
    this.command = command;
    this.sender = sender;
  }
}

/**
 * A command only the relay may send came from a peer; it was not run.
 *
 * @example
 * ```ts
 * wsc.addOnError("forged", (error) => {
 *   if (error instanceof NotFromRelayError) console.warn(`${error.sender} sent ${error.command}`);
 * });
 * ```
 */
export class NotFromRelayError extends ClientError {
  /** The command's name. */
  readonly command: string;
  /** Who sent it. */
  readonly sender: string | undefined;

  constructor(command: string, sender: string | undefined) {
    super(
      ClientErrorCode.notFromRelay,
      `command "${command}" is accepted only from the relay, not from ${sender ?? "?"}`,
    );
    this.name = "NotFromRelayError";
    this.command = command;
    this.sender = sender;
  }
}

/**
 * A hook or a registered function threw or rejected; the client goes on.
 *
 * @example
 * ```ts
 * wsc.addOnError("bugs", (error) => {
 *   if (error instanceof HandlerError) console.error(error.handler, error.cause);
 * });
 * ```
 */
export class HandlerError extends ClientError {
  /** Which function: for example `command "pass_ball"` or `open hook "log"`. */
  readonly handler: string;

  constructor(handler: string, cause: unknown) {
    super(ClientErrorCode.handlerFailed, `${handler} failed: ${describe(cause)}`, { cause });
    this.name = "HandlerError";
    this.handler = handler;
  }
}

/**
 * A frame did not fit in the send queue; `writeToSocket` returned `"dropped"`.
 *
 * @example
 * ```ts
 * wsc.addOnError("full", (error) => {
 *   if (error instanceof QueueOverflowError) retryLater(error.frame);
 * });
 * ```
 */
export class QueueOverflowError extends ClientError {
  /** The frame that was dropped, as text. */
  readonly frame: string;

  constructor(frame: string, limit: string) {
    super(
      ClientErrorCode.queueOverflow,
      `the send queue is full (${limit}); the frame was dropped`,
    );
    this.name = "QueueOverflowError";
    this.frame = frame;
  }
}

/**
 * `writeToSocket` after `close()`; `writeToSocket` returned `"dropped"`.
 *
 * @example
 * ```ts
 * wsc.close();
 * wsc.writeToSocket("{}"); // "dropped"; the error hooks get a ClientClosedError
 * ```
 */
export class ClientClosedError extends ClientError {
  /** The frame that was dropped, as text. */
  readonly frame: string;

  constructor(frame: string) {
    super(
      ClientErrorCode.clientClosed,
      "the client was closed; call connectToSocket to use it again. The frame was dropped",
    );
    this.name = "ClientClosedError";
    this.frame = frame;
  }
}

/**
 * The WebSocket reported an error. A close follows, and with it a reconnect when allowed.
 *
 * @example
 * ```ts
 * wsc.addOnError("net", (error) => {
 *   if (error instanceof ConnectionError) console.warn(`cannot reach ${error.url}`);
 * });
 * ```
 */
export class ConnectionError extends ClientError {
  /** The address the socket was for. */
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(ClientErrorCode.connectionError, `WebSocket error on ${url}: ${describe(cause)}`, {
      cause,
    });
    this.name = "ConnectionError";
    this.url = url;
  }
}

/**
 * The relay closed the socket with one of the wire module's `FATAL_CLOSE_CODES`.
 *
 * @example
 * ```ts
 * wsc.addOnError("fatal", (error) => {
 *   if (error instanceof FatalCloseError && error.closeCode === 4009) console.error("name taken");
 * });
 * ```
 */
export class FatalCloseError extends ClientError {
  /** The close code (for example 4009: the name is taken). */
  readonly closeCode: number;
  /** The close reason the relay gave. */
  readonly reason: string;

  constructor(closeCode: number, reason: string) {
    super(
      ClientErrorCode.fatalClose,
      `the relay closed the socket with code ${closeCode} (${reason || "no reason"}); not reconnecting`,
    );
    this.name = "FatalCloseError";
    this.closeCode = closeCode;
    this.reason = reason;
  }
}

/**
 * An error report from the relay (a `type: "error"` frame). `relayCode` is the relay's stable
 * code (`UNDELIVERED`, `BAD_TARGET`, `NAME_TAKEN`, ...); for `UNDELIVERED`, `targets` names the
 * targets that were not connected (the others got the frame).
 *
 * @example
 * ```ts
 * wsc.addOnRelayError("missing", (error) => {
 *   if (error.relayCode === "UNDELIVERED") console.warn("not connected:", error.targets);
 * });
 * ```
 */
export class RelayError extends ClientError {
  /** The relay's code (see the `ErrorCode` constants of the wire module). */
  readonly relayCode: string;
  /** The frame the report is about, as far as the relay could tell. */
  readonly ref: FrameRef;
  /** For `UNDELIVERED`: the targets that were not connected; otherwise empty. */
  readonly targets: readonly string[];

  constructor(data: ErrorData) {
    super(ClientErrorCode.relayError, `the relay reported ${data.code}: ${data.message}`);
    this.name = "RelayError";
    this.relayCode = data.code;
    this.ref = data.ref;
    this.targets = data.targets ?? [];
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === "object" && cause !== null && "message" in cause) {
    const message = cause.message;
    if (typeof message === "string" && message !== "") return message;
  }
  if (typeof cause === "string") return cause;
  return "unknown error";
}
