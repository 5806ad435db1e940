/**
 * The errors the client reports through its error hooks. Every one is a `WsComSrvError` from
 * the wire module, with a stable `code` from {@link ClientErrorCode}, checkable across realms
 * and bundles with `isWsComSrvError`. A subclass exists only where the error carries data of
 * its own: the frame it is about ({@link FrameError}), the function that failed
 * ({@link HandlerError}), the frames dropped ({@link DroppedFramesError}) or never confirmed
 * ({@link UnconfirmedError}), the close code ({@link FatalCloseError}), the HTTP status
 * ({@link UpgradeRefusedError}), the relay's report ({@link RelayError}), the frames the relay
 * could not keep ({@link MissedFramesError}). A `deliver()` promise's timeout, with the
 * statuses so far, is the receipts module's `ReceiptTimeoutError`. A
 * `CONNECTION_ERROR` is a plain `WsComSrvError` whose `cause` is the socket's error.
 *
 * A failed call is not reported to the hooks: its promise rejects with a {@link CallError},
 * whose code is one of the wire module's `CallCode`.
 *
 * A caller's mistake (a bad name, a bad option, a message that cannot be serialised) throws a
 * plain `TypeError` or `RangeError` at once instead; nothing here is ever thrown by the client.
 *
 * @module
 */

import {
  type CallCodeName,
  type DecodeError,
  type ErrorData,
  type FrameRef,
  WsComSrvError,
} from "wscomsrv-protocol";

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
  /** A received frame is not a valid envelope (see {@link FrameError.reason}). */
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
  /**
   * The relay could not keep frames for the client (capability `delivery`): it stayed away
   * longer than the room's mail window, or its mailbox was full (see {@link MissedFramesError}).
   */
  missedFrames: "MISSED_FRAMES",
  /**
   * A `deliver()` promise: not every target had a final status within its timeout (see
   * `ReceiptTimeoutError`). Never given to the error hooks.
   */
  receiptTimeout: "RECEIPT_TIMEOUT",
  /**
   * The client made `maxRetries` reconnect attempts without an identify in between and closed
   * for good (see `ClientOptions.maxRetries`).
   */
  retriesExhausted: "RETRIES_EXHAUSTED",
  /**
   * A `ready()` promise: the client was not identified within its timeout. Never given to the
   * error hooks.
   */
  readyTimeout: "READY_TIMEOUT",
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

/**
 * Every error the client reports, told apart by `code`: comparing `code` narrows to the class
 * that carries that code's data.
 *
 * @example
 * ```ts
 * wsc.addOnError("log", (error: ClientError) => {
 *   if (error.code === "CLIENT_CLOSED") saveForLater(error.frames);
 *   else console.warn(error.code, error.message);
 * });
 * ```
 */
export type ClientError =
  | FrameError
  | HandlerError
  | DroppedFramesError
  | UnconfirmedError
  | FatalCloseError
  | UpgradeRefusedError
  | RelayError
  | MissedFramesError
  | WsComSrvError<typeof ClientErrorCode.connectionError>
  | WsComSrvError<typeof ClientErrorCode.retriesExhausted>;

/**
 * The codes of a {@link FrameError}.
 *
 * @example
 * ```ts
 * const code: FrameErrorCode = "UNKNOWN_TYPE";
 * ```
 */
export type FrameErrorCode =
  | typeof ClientErrorCode.invalidFrame
  | typeof ClientErrorCode.unknownType
  | typeof ClientErrorCode.unknownCommand
  | typeof ClientErrorCode.notFromRelay;

/**
 * A received frame the client could not take; the frame is dropped. `INVALID_FRAME`: it is
 * no valid envelope (`reason` says why); `UNKNOWN_TYPE`: no function for its type
 * (`addMessageType`); `UNKNOWN_COMMAND`: no function for its command (`addCmdFunction`);
 * `NOT_FROM_RELAY`: a command only the relay may send (`indentify`, `set_time`) came from a
 * peer and was not run.
 *
 * @example
 * ```ts
 * wsc.addOnError("types", (error) => {
 *   if (error.code === "UNKNOWN_TYPE") console.warn(`${error.sender} sent a ${error.ref.type}`);
 * });
 * ```
 */
export class FrameError extends WsComSrvError<FrameErrorCode> {
  override name = "FrameError";
  /** For `INVALID_FRAME`: a code of the wire module's decoder (`BAD_JSON`, ...); else undefined. */
  readonly reason: DecodeError["code"] | undefined;
  /** What could be read of the frame (`type`, `cmd`, `id`). */
  readonly ref: FrameRef;
  /** The sender, when the frame named one. */
  readonly sender: string | undefined;

  constructor(
    code: FrameErrorCode,
    message: string,
    ref: FrameRef,
    sender: string | undefined,
    reason?: DecodeError["code"],
  ) {
    super(code, message);
    this.ref = ref;
    this.sender = sender;
    this.reason = reason;
  }
}

/**
 * An `INVALID_FRAME` error for what the decoder refused.
 *
 * @example
 * ```ts
 * emitter.fail(invalidFrame(result.error));
 * ```
 */
export function invalidFrame(error: DecodeError): FrameError {
  return new FrameError(
    ClientErrorCode.invalidFrame,
    `invalid frame (${error.code}): ${error.message}`,
    error.ref,
    undefined,
    error.code,
  );
}

/**
 * An `UNKNOWN_TYPE` error.
 *
 * @example
 * ```ts
 * emitter.fail(unknownType("note", "Peer"));
 * ```
 */
export function unknownType(type: string, sender: string | undefined): FrameError {
  return new FrameError(
    ClientErrorCode.unknownType,
    `no function for message type "${type}" (from ${sender ?? "?"}); register one with addMessageType`,
    { type },
    sender,
  );
}

/**
 * An `UNKNOWN_COMMAND` error.
 *
 * @example
 * ```ts
 * emitter.fail(unknownCommand("pass_ball", "Peer"));
 * ```
 */
export function unknownCommand(command: string, sender: string | undefined): FrameError {
  return new FrameError(
    ClientErrorCode.unknownCommand,
    `no function for command "${command}" (from ${sender ?? "?"}); register one with addCmdFunction`,
    { type: "cmd", cmd: command },
    sender,
  );
}

/**
 * A `NOT_FROM_RELAY` error.
 *
 * @example
 * ```ts
 * emitter.fail(notFromRelay("set_time", "Peer"));
 * ```
 */
export function notFromRelay(command: string, sender: string | undefined): FrameError {
  return new FrameError(
    ClientErrorCode.notFromRelay,
    `command "${command}" is accepted only from the relay, not from ${sender ?? "?"}`,
    { type: "cmd", cmd: command },
    sender,
  );
}

/**
 * A `CONNECTION_ERROR`: the WebSocket reported an error (its error is the `cause`). A close
 * follows, and with it a reconnect when allowed.
 *
 * @example
 * ```ts
 * emitter.fail(connectionError(url, event.error));
 * ```
 */
export function connectionError(
  url: string,
  cause: unknown,
): WsComSrvError<typeof ClientErrorCode.connectionError> {
  return new WsComSrvError(
    ClientErrorCode.connectionError,
    `WebSocket error on ${url}: ${describe(cause)}`,
    { cause },
  );
}

/**
 * A `RETRIES_EXHAUSTED` error: `attempts` reconnect attempts in a row failed (the last closed
 * with `code`), so the client closed for good.
 *
 * @example
 * ```ts
 * emitter.fail(retriesExhausted(3, 1006));
 * ```
 */
export function retriesExhausted(
  attempts: number,
  code: number,
): WsComSrvError<typeof ClientErrorCode.retriesExhausted> {
  return new WsComSrvError(
    ClientErrorCode.retriesExhausted,
    `gave up after ${attempts} reconnect attempt(s) without an identify (maxRetries), the last closed with ${code}; call connectToSocket to try again`,
  );
}

/**
 * Why `client.ready()` rejects: the error of the final refusal (a
 * {@link FatalCloseError}, a fatal {@link UpgradeRefusedError}, `RETRIES_EXHAUSTED`), or
 * `CLIENT_CLOSED` (`close()` was called, or a close with `reconnect` off), or `READY_TIMEOUT`.
 *
 * @example
 * ```ts
 * try {
 *   await wsc.ready(5_000);
 * } catch (error) {
 *   const refusal = error as ReadyError;
 *   if (refusal.code === "FATAL_CLOSE") console.error("refused:", refusal.closeCode);
 * }
 * ```
 */
export type ReadyError =
  | FatalCloseError
  | UpgradeRefusedError
  | WsComSrvError<
      | typeof ClientErrorCode.clientClosed
      | typeof ClientErrorCode.retriesExhausted
      | typeof ClientErrorCode.readyTimeout
    >;

/**
 * A hook or a registered function threw or rejected; the client goes on.
 *
 * @example
 * ```ts
 * wsc.addOnError("bugs", (error) => {
 *   if (error.code === "HANDLER_FAILED") console.error(error.handler, error.cause);
 * });
 * ```
 */
export class HandlerError extends WsComSrvError<typeof ClientErrorCode.handlerFailed> {
  override name = "HandlerError";
  /** Which function: for example `command "pass_ball"` or `open hook "log"`. */
  readonly handler: string;

  constructor(handler: string, cause: unknown) {
    super(ClientErrorCode.handlerFailed, `${handler} failed: ${describe(cause)}`, { cause });
    this.handler = handler;
  }
}

/**
 * Frames dropped, never sent, so none reached anyone. `QUEUE_OVERFLOW`: a frame did not fit
 * in the send queue (`writeToSocket` returned `"dropped"`). `CLIENT_CLOSED`: the client is
 * closed for good, by `close()`, by a fatal close (a fatal close code, or a refused upgrade
 * with 400, 401, 403 or 404), or by a close with `reconnect` off; reported once with what the
 * send queue held at that moment, and once for each frame written after it, until
 * `connectToSocket` is called again.
 *
 * @example
 * ```ts
 * wsc.addOnError("keep", (error) => {
 *   if (error.code === "CLIENT_CLOSED" || error.code === "QUEUE_OVERFLOW") saveForLater(error.frames);
 * });
 * wsc.close();
 * wsc.writeToSocket("{}"); // "dropped"; the error hooks get a CLIENT_CLOSED error
 * ```
 */
export class DroppedFramesError extends WsComSrvError<
  typeof ClientErrorCode.queueOverflow | typeof ClientErrorCode.clientClosed
> {
  override name = "DroppedFramesError";
  /** The frames dropped, as text, oldest first. */
  readonly frames: readonly string[];
  /** The first of {@link frames}: the frame that did not fit, or was written after the close. */
  readonly frame: string;

  /**
   * @param code - `QUEUE_OVERFLOW` or `CLIENT_CLOSED`.
   * @param frames - The dropped frames' texts, oldest first.
   * @param message - For humans.
   */
  constructor(
    code: typeof ClientErrorCode.queueOverflow | typeof ClientErrorCode.clientClosed,
    frames: readonly string[],
    message: string,
  ) {
    super(code, message);
    this.frames = frames;
    this.frame = frames[0] ?? "";
  }

  /** A `QUEUE_OVERFLOW` error for `frame`, which broke `limit` (a sentence). */
  static overflow(frame: string, limit: string): DroppedFramesError {
    return new DroppedFramesError(
      ClientErrorCode.queueOverflow,
      [frame],
      `the send queue is full (${limit}); the frame was dropped`,
    );
  }

  /** A `CLIENT_CLOSED` error for `frames`; `why` the client is closed (`"close() was called"`). */
  static closed(frames: readonly string[], why: string): DroppedFramesError {
    return new DroppedFramesError(
      ClientErrorCode.clientClosed,
      frames,
      `the client was closed for good (${why}); call connectToSocket to use it again. ${frames.length === 1 ? "The frame was" : `${frames.length} frames were`} dropped`,
    );
  }
}

/**
 * The relay closed the socket with a code after which reconnecting with the same settings
 * cannot help: 1008, 4001 (wrong password), 4002 (bad name), 4003 (token for another name),
 * 4009 (name taken) or 4010 (replaced); see `CloseCode`. The client does not reconnect.
 *
 * @example
 * ```ts
 * wsc.addOnError("fatal", (error) => {
 *   if (error.code === "FATAL_CLOSE" && error.closeCode === 4009) console.error("name taken");
 * });
 * ```
 */
export class FatalCloseError extends WsComSrvError<typeof ClientErrorCode.fatalClose> {
  override name = "FatalCloseError";
  /** The close code (for example 4009: the name is taken). */
  readonly closeCode: number;
  /** The close reason the relay gave. */
  readonly reason: string;

  constructor(closeCode: number, reason: string) {
    super(
      ClientErrorCode.fatalClose,
      `the relay closed the socket with code ${closeCode} (${reason || "no reason"}); not reconnecting`,
    );
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
export class RelayError extends WsComSrvError<typeof ClientErrorCode.relayError> {
  override name = "RelayError";
  /** The relay's code (see the `ErrorCode` constants of the wire module). */
  readonly relayCode: string;
  /** The frame the report is about, as far as the relay could tell. */
  readonly ref: FrameRef;
  /** For `UNDELIVERED`: the targets that were not connected; otherwise empty. */
  readonly targets: readonly string[];

  constructor(data: ErrorData) {
    super(ClientErrorCode.relayError, `the relay reported ${data.code}: ${data.message}`);
    this.relayCode = data.code;
    this.ref = data.ref;
    this.targets = data.targets ?? [];
  }
}

/**
 * Frames that `writeToSocket` handed to a socket (it returned `"sent"`, or `"queued"` and the
 * queue was sent later) and that the relay never confirmed (capability `acks`) before the
 * connection closed. Each may or may not have reached its targets. Without `delivery`, none is
 * sent again by the client; with `delivery`, the client sends again every frame whose text it
 * kept, and this reports only those it no longer had ({@link untracked}). Reported once per
 * connection that closed with some, to the unconfirmed hooks and the error hooks.
 *
 * @example
 * ```ts
 * wsc.addOnUnconfirmed("resend", (error) => {
 *   // Resending may deliver a frame twice; each keeps its id, so a peer can tell.
 *   for (const frame of error.frames) wsc.writeToSocket(frame);
 * });
 * ```
 */
export class UnconfirmedError extends WsComSrvError<typeof ClientErrorCode.unconfirmed> {
  override name = "UnconfirmedError";
  /** The frames' texts as sent, with their `id`, oldest first (a batch's frames one by one). */
  readonly frames: readonly string[];
  /**
   * Frames sent before those, also unconfirmed, whose texts were not kept: more awaited the
   * relay's ack than `maxUnconfirmedFrames` or `maxUnconfirmedBytes` allow. Usually 0.
   */
  readonly untracked: number;
  /** The address of the connection they were sent on. */
  readonly url: string;

  /**
   * @param resentOthers - True when the frames whose texts were kept are being sent again
   *   (`delivery`), so that only the untracked ones are reported.
   */
  constructor(frames: readonly string[], untracked: number, url: string, resentOthers = false) {
    const count =
      untracked > 0
        ? `${frames.length + untracked} frame(s) (${untracked} of them no longer kept)`
        : `${frames.length} frame(s)`;
    super(
      ClientErrorCode.unconfirmed,
      resentOthers
        ? `${count} sent to ${url} are unconfirmed: the connection closed before the relay confirmed them; they may or may not have been delivered, and cannot be sent again (the frames still kept are being sent again)`
        : `${count} sent to ${url} are unconfirmed: the connection closed before the relay confirmed them; they may or may not have been delivered and were not resent`,
    );
    this.frames = frames;
    this.untracked = untracked;
    this.url = url;
  }
}

/**
 * Frames for this client that the relay could not keep (capability `delivery`), so they never
 * reach it: it stayed away longer than the room's mail window, or its mailbox (or the room's)
 * was full. Their senders' receipts say `expired` or `overflow`. Reported to the error hooks
 * when the relay says so, in `identified` or in a `mail` frame.
 *
 * @example
 * ```ts
 * wsc.addOnError("gaps", (error) => {
 *   if (error.code === "MISSED_FRAMES") console.warn(`${error.count} frames lost; resync`);
 * });
 * ```
 */
export class MissedFramesError extends WsComSrvError<typeof ClientErrorCode.missedFrames> {
  override name = "MissedFramesError";
  /** How many frames the relay could not keep since it last said so. */
  readonly count: number;

  constructor(count: number) {
    super(
      ClientErrorCode.missedFrames,
      `the relay could not keep ${count} frame(s) for this client (away longer than the mail window, or the mailbox was full); they will not arrive`,
    );
    this.count = count;
  }
}

/**
 * The relay answered the WebSocket upgrade with an HTTP status instead of accepting it (a bad
 * room name 400, a bad or expired token 401, a foreign Origin 403, ...), and, in the
 * response's body, its reason, which the error carries in `reason` and in its message. Only
 * Node's `ws` shows the status and the body; browsers (and Node 22's global WebSocket) report a
 * plain connection failure. After 400, 401, 403 or 404 the client does not reconnect (retrying
 * with the same settings cannot help); after any other status (429 and 503 when a room is
 * full, 5xx) it reconnects as usual.
 *
 * @example
 * ```ts
 * wsc.addOnError("auth", async (error) => {
 *   if (error.code === "UPGRADE_REFUSED" && error.status === 401) {
 *     console.warn(error.reason); // for example "token expired"
 *     wsc.token = await fetchFreshToken();
 *     wsc.connectToSocket();
 *   }
 * });
 * ```
 */
export class UpgradeRefusedError extends WsComSrvError<typeof ClientErrorCode.upgradeRefused> {
  override name = "UpgradeRefusedError";
  /** The address the upgrade was for. */
  readonly url: string;
  /** The HTTP status the relay answered with. */
  readonly status: number;
  /**
   * The relay's reason: the first 500 bytes of the response's body, decoded as UTF-8 and
   * trimmed (for a JSON error, its message); `undefined` when the body was empty or did not
   * arrive within a second.
   */
  readonly reason: string | undefined;
  /** True when the client gave up (400, 401, 403 or 404). */
  readonly fatal: boolean;

  constructor(url: string, status: number, fatal: boolean, reason?: string) {
    const said = reason === undefined ? "" : ` (${JSON.stringify(reason)})`;
    super(
      ClientErrorCode.upgradeRefused,
      `the relay refused the WebSocket upgrade of ${url} with HTTP ${status}${said}; ${fatal ? "not reconnecting" : "reconnecting"}`,
    );
    this.url = url;
    this.status = status;
    this.reason = reason;
    this.fatal = fatal;
  }
}

/**
 * Why a call (`client.call`) failed. `code` is one of the wire module's `CallCode`: from the
 * relay (`BAD_CALL`, `TARGET_NOT_CONNECTED`, `TARGET_CANNOT_REPLY`, `TARGET_LEFT`), from the
 * target (`NO_SUCH_COMMAND`, `HANDLER_FAILED`, `REPLY_TOO_LARGE`) or from the caller itself
 * (`CALL_TIMEOUT`, `CALL_CANCELLED`, `CALLER_DROPPED`). For `HANDLER_FAILED`, `remoteName`,
 * `remoteMessage` and (when the target sends stacks) `remoteStack` say what the target's
 * function threw.
 *
 * @example
 * ```ts
 * try {
 *   await wsc.call("dev", "read_temp", { probe: 2 });
 * } catch (error) {
 *   if (error instanceof CallError && error.code === "HANDLER_FAILED") {
 *     console.warn(`${error.target} failed: ${error.remoteName}: ${error.remoteMessage}`);
 *   }
 * }
 * ```
 */
export class CallError extends WsComSrvError<CallCodeName> {
  override name = "CallError";
  /** The name that was called. */
  readonly target: string;
  /** The command that was called. */
  readonly command: string;
  /** For `HANDLER_FAILED`: the name of the error the target's function threw. */
  readonly remoteName: string | undefined;
  /** For `HANDLER_FAILED`: its message. */
  readonly remoteMessage: string | undefined;
  /** For `HANDLER_FAILED`, when the target sends stacks (`replyStacks`): its stack. */
  readonly remoteStack: string | undefined;

  /**
   * @param code - Why the call failed.
   * @param target - The name called.
   * @param command - The command called.
   * @param message - The reason, for humans (the target's or the relay's own sentence).
   * @param remote - For `HANDLER_FAILED`: what the target's function threw.
   */
  constructor(
    code: CallCodeName,
    target: string,
    command: string,
    message: string,
    remote: { name?: string | undefined; message?: string; stack?: string | undefined } = {},
  ) {
    super(code, `call of "${command}" on ${target} failed (${code}): ${message}`);
    this.target = target;
    this.command = command;
    this.remoteName = remote.name;
    this.remoteMessage = remote.message;
    this.remoteStack = remote.stack;
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
