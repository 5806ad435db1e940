/**
 * Calls (capability `calls`): a command with a `call` id, to exactly one target, answered by
 * a `reply` frame with the same id, from the target (its command function's result or error)
 * or from the relay (the target cannot answer). Untrusted input in, a typed value out.
 *
 * @module
 */

import { isJsonObject, own } from "./decode.js";
import { DeliveryField } from "./delivery.js";
import { FrameType, type Json, type JsonObject, SERVER } from "./envelope.js";

/** Longest call id, in characters. */
export const MAX_CALL_ID_LENGTH = 128;

/**
 * Why a call failed: the stable codes a `reply` carries (and the client's `CallError` has).
 * Never renamed; new ones may be added.
 */
export const CallCode = {
  /** The relay: no client holds the target name. */
  targetNotConnected: "TARGET_NOT_CONNECTED",
  /** The relay: the target did not ask for `calls` (a seed client, say): it cannot reply. */
  targetCannotReply: "TARGET_CANNOT_REPLY",
  /** The relay: the target's connection ended before it replied. */
  targetLeft: "TARGET_LEFT",
  /** The relay: the call is malformed (not a command, or not to exactly one name). */
  badCall: "BAD_CALL",
  /** The target: it has no command function of that name. */
  noSuchCommand: "NO_SUCH_COMMAND",
  /** The target: its command function threw or rejected (`name` and `message` say what). */
  handlerFailed: "HANDLER_FAILED",
  /** The target: the result is larger than a frame may be, or is not JSON. */
  replyTooLarge: "REPLY_TOO_LARGE",
  /** The caller: no reply within the timeout. */
  timeout: "CALL_TIMEOUT",
  /** The caller: its `AbortSignal` aborted the call. */
  cancelled: "CALL_CANCELLED",
  /** The caller: its own connection dropped (or was not up) before the reply came. */
  callerDropped: "CALLER_DROPPED",
} as const;

/** One of {@link CallCode}. */
export type CallCodeName = (typeof CallCode)[keyof typeof CallCode];

const CALL_CODES: ReadonlySet<string> = new Set(Object.values(CallCode));

/** True when `value` is one of {@link CallCode}. */
export function isCallCode(value: unknown): value is CallCodeName {
  return typeof value === "string" && CALL_CODES.has(value);
}

/**
 * The `data` of a `reply`: the result (`ok: true`, `value` absent for a function that
 * returned nothing), or why there is none.
 *
 * @example
 * ```ts
 * const done: ReplyData = { ok: true, value: 21.5 };
 * const failed: ReplyData = { ok: false, code: "HANDLER_FAILED", message: "no probe", name: "Error" };
 * ```
 */
export type ReplyData =
  | { ok: true; value?: Json }
  | {
      ok: false;
      /** A {@link CallCode}. */
      code: CallCodeName;
      /** A sentence for humans. */
      message: string;
      /** For `HANDLER_FAILED`: the thrown error's name. */
      name?: string;
      /** For `HANDLER_FAILED`, when the target opted in: the thrown error's stack. */
      stack?: string;
    };

/**
 * The call id of a frame (its `call` field), `undefined` when it has none, or a sentence
 * saying why it is malformed.
 *
 * @example
 * ```ts
 * callIdOf({ type: "cmd", call: "k3J9-1" }); // "k3J9-1"
 * callIdOf({ type: "cmd", call: 7 }); // "call must be a string of 1 to 128 characters"
 * ```
 */
export function callIdOf(fields: JsonObject): string | undefined | { problem: string } {
  const call = own(fields, DeliveryField.call);
  if (call === undefined) return undefined;
  if (typeof call === "string" && call.length > 0 && call.length <= MAX_CALL_ID_LENGTH) {
    return call;
  }
  return { problem: `call must be a string of 1 to ${MAX_CALL_ID_LENGTH} characters` };
}

/**
 * The `data` of a `reply`, or `undefined` when malformed (an unknown code becomes
 * `HANDLER_FAILED`, so that a newer peer's reply still fails the call).
 *
 * @example
 * ```ts
 * decodeReplyData({ ok: true, value: 3 }); // { ok: true, value: 3 }
 * ```
 */
export function decodeReplyData(data: Json | undefined): ReplyData | undefined {
  if (!isJsonObject(data)) return undefined;
  const ok = own(data, "ok");
  if (ok === true) {
    const value = own(data, "value");
    return value === undefined ? { ok: true } : { ok: true, value };
  }
  if (ok !== false) return undefined;
  const code = own(data, "code");
  const message = own(data, "message");
  if (typeof message !== "string") return undefined;
  const reply: ReplyData = {
    ok: false,
    code: isCallCode(code) ? code : CallCode.handlerFailed,
    message,
  };
  const name = own(data, "name");
  if (typeof name === "string") reply.name = name;
  const stack = own(data, "stack");
  if (typeof stack === "string") reply.stack = stack;
  return reply;
}

/**
 * A `reply` frame to `caller` for the call `call`, as an object (the client serialises it;
 * the relay serialises its own with {@link relayReplyText}).
 *
 * @example
 * ```ts
 * replyFrame("gui", "k3J9-1", { ok: true, value: 21.5 });
 * // { type: "reply", data: { ok: true, value: 21.5 }, target: ["gui"], call: "k3J9-1" }
 * ```
 */
export function replyFrame(caller: string, call: string, data: ReplyData): JsonObject {
  return { type: FrameType.reply, data: { ...data }, target: [caller], [DeliveryField.call]: call };
}

/**
 * The text of the relay's own `reply` to `caller`: the call failed before its target could
 * answer.
 *
 * @example
 * ```ts
 * relayReplyText("gui", "k3J9-1", "TARGET_NOT_CONNECTED", "no client is called dev");
 * ```
 */
export function relayReplyText(
  caller: string,
  call: string,
  code: CallCodeName,
  message: string,
): string {
  return JSON.stringify({
    ...replyFrame(caller, call, { ok: false, code, message }),
    from: SERVER,
  });
}
