/**
 * The errors the client reports through its error hooks. One small class per failure, all
 * sharing {@link ClientError}, each with a stable `code` from {@link ClientErrorCode}.
 *
 * A caller's mistake (a bad name, a bad option, a message that cannot be serialised) throws a
 * plain `TypeError` or `RangeError` at once instead; nothing here is ever thrown by the client.
 *
 * @module
 */

import type { DecodeError, ErrorData, FrameRef } from "wscomsrv-protocol";

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
  /**
   * The client is closed for good (`close()`, a fatal close, or `reconnect` off): frames the
   * queue held, or written after, were dropped.
   */
  clientClosed: "CLIENT_CLOSED",
  /** The WebSocket reported an error (connection refused, reset, ...). */
  connectionError: "CONNECTION_ERROR",
  /** The relay closed the socket with a code after which reconnecting cannot help. */
  fatalClose: "FATAL_CLOSE",
  /** The relay reported an error in a `type: "error"` frame (see {@link RelayError.relayCode}). */
  relayError: "RELAY_ERROR",
  /** Frames handed to a socket were never confirmed by the relay (see {@link UnconfirmedError}). */
  unconfirmed: "UNCONFIRMED",
  /** The relay answered the WebSocket upgrade with an HTTP error status (Node with `ws` only). */
  upgradeRefused: "UPGRADE_REFUSED",
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
 * Frames dropped because the client is closed for good: by `close()`, by a fatal close (a
 * close code in `FATAL_CLOSE_CODES`, a refused upgrade in `FATAL_HTTP_STATUSES`), or by a
 * close with `reconnect` off. Reported once with what the send queue held at that moment
 * (those frames were never sent), and once for each frame written after it
 * (`writeToSocket` returned `"dropped"`), until `connectToSocket` is called again.
 *
 * @example
 * ```ts
 * wsc.addOnError("keep", (error) => {
 *   if (error instanceof ClientClosedError) saveForLater(error.frames);
 * });
 * wsc.close();
 * wsc.writeToSocket("{}"); // "dropped"; the error hooks get a ClientClosedError
 * ```
 */
export class ClientClosedError extends ClientError {
  /** The frames dropped, as text, oldest first: never sent, so none reached anyone. */
  readonly frames: readonly string[];
  /** The first of {@link frames}: for a frame written after the close, that frame. */
  readonly frame: string;

  /**
   * @param frames - The dropped frames' texts, oldest first.
   * @param why - Why the client is closed, for the message (`"close() was called"`).
   */
  constructor(frames: readonly string[], why: string) {
    super(
      ClientErrorCode.clientClosed,
      `the client was closed for good (${why}); call connectToSocket to use it again. ${frames.length === 1 ? "The frame was" : `${frames.length} frames were`} dropped`,
    );
    this.name = "ClientClosedError";
    this.frames = frames;
    this.frame = frames[0] ?? "";
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

/**
 * Frames that `writeToSocket` handed to a socket (it returned `"sent"`, or `"queued"` and the
 * queue was sent later) and that the relay never confirmed (capability `acks`) before the
 * connection closed. Each may or may not have reached its targets; none is sent again by the
 * client. Reported once per connection that closed with some, to the unconfirmed hooks and
 * the error hooks.
 *
 * @example
 * ```ts
 * wsc.addOnUnconfirmed("resend", (error) => {
 *   // Resending may deliver a frame twice; each keeps its id, so a peer can tell.
 *   for (const frame of error.frames) wsc.writeToSocket(frame);
 * });
 * ```
 */
export class UnconfirmedError extends ClientError {
  /** The frames' texts as sent, with their `id`, oldest first (a batch's frames one by one). */
  readonly frames: readonly string[];
  /**
   * Frames sent before those, also unconfirmed, whose texts were not kept: more awaited the
   * relay's ack than `maxUnconfirmedFrames` or `maxUnconfirmedBytes` allow. Usually 0.
   */
  readonly untracked: number;
  /** The address of the connection they were sent on. */
  readonly url: string;

  constructor(frames: readonly string[], untracked: number, url: string) {
    const count =
      untracked > 0
        ? `${frames.length + untracked} frame(s) (${untracked} of them no longer kept)`
        : `${frames.length} frame(s)`;
    super(
      ClientErrorCode.unconfirmed,
      `${count} sent to ${url} are unconfirmed: the connection closed before the relay confirmed them; they may or may not have been delivered and were not resent`,
    );
    this.name = "UnconfirmedError";
    this.frames = frames;
    this.untracked = untracked;
    this.url = url;
  }
}

/**
 * The relay answered the WebSocket upgrade with an HTTP status instead of accepting it (a bad
 * room name 400, a bad or expired token 401, a foreign Origin 403, ...). Only Node's `ws`
 * shows the status; browsers report a plain connection failure. After a status in
 * `FATAL_HTTP_STATUSES` the client does not reconnect.
 *
 * @example
 * ```ts
 * wsc.addOnError("auth", async (error) => {
 *   if (error instanceof UpgradeRefusedError && error.status === 401) {
 *     wsc.token = await fetchFreshToken();
 *     wsc.connectToSocket();
 *   }
 * });
 * ```
 */
export class UpgradeRefusedError extends ClientError {
  /** The address the upgrade was for. */
  readonly url: string;
  /** The HTTP status the relay answered with. */
  readonly status: number;
  /** True when the client gave up (the status is in `FATAL_HTTP_STATUSES`). */
  readonly fatal: boolean;

  constructor(url: string, status: number, fatal: boolean) {
    super(
      ClientErrorCode.upgradeRefused,
      `the relay refused the WebSocket upgrade of ${url} with HTTP ${status}; ${fatal ? "not reconnecting" : "reconnecting"}`,
    );
    this.name = "UpgradeRefusedError";
    this.url = url;
    this.status = status;
    this.fatal = fatal;
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
