/**
 * Calls (capability `calls`, on both ends): commands with replies. As a caller, the client
 * sends a command with a `call` id and keeps a promise for it until its `reply` comes, its
 * timeout passes, its signal aborts or the connection ends. As a callee, it answers a command
 * with a `call` id by running the same command function a plain command runs, and sends back
 * what it returned, or what it threw.
 *
 * @module
 */

import {
  CallCode,
  type CallCodeName,
  Capability,
  callIdOf,
  commandMessage,
  DEFAULT_LIMITS,
  DeliveryField,
  decodeIdentified,
  decodeReplyData,
  type Envelope,
  FrameType,
  type Json,
  type JsonObject,
  type ReplyData,
  replyFrame,
  SERVER,
} from "wscomsrv-protocol";
import { isThenable } from "./emitter.js";
import { CallError } from "./errors.js";
import type { CommandContext } from "./events.js";
import type { ConnectionPart, Session } from "./lifecycle.js";
import type { Connection } from "./transport.js";
import { utf8Length } from "./utf8.js";

/** The default timeout of a call, in milliseconds (30 s). */
export const DEFAULT_CALL_TIMEOUT = 30_000;

/**
 * Room left in a reply for what the send path adds to it (`id`, and the frame's identity),
 * in bytes: a reply is at most the relay's `maxFrameBytes` minus this.
 */
const REPLY_RESERVE_BYTES = 256;

/** The longest error message, and stack, a failed reply carries, in characters. */
const MAX_REMOTE_MESSAGE = 2_000;
const MAX_REMOTE_STACK = 16_000;

/** The longest timer `setTimeout` keeps (about 24.8 days); a longer timeout waits for ever. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The options of one call.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const options: CallOptions = { timeout: 5_000, signal: controller.signal };
 * ```
 */
export interface CallOptions {
  /**
   * Milliseconds to wait for the reply; then the call fails with `CALL_TIMEOUT`. `Infinity`
   * waits for ever (until the reply, the signal or the end of the connection). Default 30,000.
   */
  timeout?: number;
  /** Aborting it fails the call with `CALL_CANCELLED` (at once when it is aborted already). */
  signal?: AbortSignal;
}

/**
 * What became of one call of `callAll`: its value, or why there is none.
 *
 * @example
 * ```ts
 * const outcomes = await wsc.callAll(["dev1", "dev2"], "read_temp");
 * for (const [name, outcome] of Object.entries(outcomes)) {
 *   console.log(name, outcome.ok ? outcome.value : outcome.error.code);
 * }
 * ```
 */
export type CallOutcome = { ok: true; value: Json | undefined } | { ok: false; error: CallError };

/** One call waiting for its reply. */
interface Pending {
  readonly target: string;
  readonly command: string;
  readonly settle: (outcome: CallOutcome) => void;
}

/**
 * What the calls part needs from its client.
 *
 * @example
 * ```ts
 * const host: CallsHost = { name: "gui", replyStacks: false, send: (connection, text) => true };
 * ```
 */
export interface CallsHost {
  /** The client's name (the `from` of its calls). */
  readonly name: string;
  /** Whether a failed reply carries the thrown error's stack. */
  readonly replyStacks: boolean;
  /**
   * The client's stream id (`sid`), the first part of every call id. Default: a random one,
   * made at the first call.
   */
  readonly stream?: string;
  /**
   * Sends `text` through the client's send path (in order with its other frames), when
   * `connection` is still the identified one. @returns false when it is not (nothing sent).
   */
  send(connection: Connection, text: string): boolean;
}

/** A command function, as the dispatcher hands it over. */
type Handler = (kwargs: Readonly<JsonObject>, context: CommandContext) => unknown;

/** A random stream id: 12 characters of base64url. */
function randomStream(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_");
}

/**
 * The pending calls of one client, and its answers to the calls it gets.
 *
 * @example
 * ```ts
 * const calls = new Calls({ name: "gui", replyStacks: false, send });
 * lifecycle.attach(calls);
 * const value = await calls.call("dev", "read_temp", { probe: 2 });
 * ```
 */
export class Calls implements ConnectionPart {
  readonly #host: CallsHost;
  readonly #pending = new Map<string, Pending>();
  /** The first part of every call id: one per client object, made at its first call. */
  #stream: string | undefined;
  #next = 1;
  /** The identified connection, while the relay granted `calls` on it. */
  #connection: Connection | undefined;
  #maxFrameBytes = DEFAULT_LIMITS.maxFrameBytes;

  constructor(host: CallsHost) {
    this.#host = host;
    this.#stream = host.stream;
  }

  /** How many calls wait for their reply. */
  get pending(): number {
    return this.#pending.size;
  }

  opening(): void {
    this.#maxFrameBytes = DEFAULT_LIMITS.maxFrameBytes;
  }

  identified({ connection, granted }: Session): void {
    this.#connection = granted.includes(Capability.calls) ? connection : undefined;
  }

  /** The connection is over: every pending call fails with `CALLER_DROPPED`. */
  ended(): undefined {
    this.#connection = undefined;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of pending) {
      call.settle(
        this.#failure(call, CallCode.callerDropped, "the connection ended before the reply came"),
      );
    }
    return undefined;
  }

  /** Takes the relay's `identified` kwargs: the largest frame it takes. */
  limits(kwargs: JsonObject): void {
    this.#maxFrameBytes = decodeIdentified(kwargs)?.maxFrameBytes ?? DEFAULT_LIMITS.maxFrameBytes;
  }

  /**
   * Calls `command` on `target` and settles with the outcome; never rejects.
   *
   * @throws TypeError for a target or command that is not a non-empty string, kwargs that
   *   cannot be serialised, or a bad timeout; nothing is sent then.
   */
  outcome(
    target: string,
    command: string,
    kwargs: JsonObject,
    { timeout = DEFAULT_CALL_TIMEOUT, signal }: CallOptions,
  ): Promise<CallOutcome> {
    if (typeof target !== "string" || target === "") {
      throw new TypeError("call needs the target's name (a non-empty string)");
    }
    if (typeof command !== "string" || command === "") {
      throw new TypeError("call needs the command's name (a non-empty string)");
    }
    if (typeof timeout !== "number" || Number.isNaN(timeout) || timeout <= 0) {
      throw new RangeError(`a call's timeout must be a number > 0 (ms), got ${timeout}`);
    }
    this.#stream ??= randomStream();
    const call = `${this.#stream}-${this.#next++}`;
    const text = JSON.stringify({
      ...commandMessage(command, this.#host.name, target, kwargs),
      [DeliveryField.call]: call,
    });
    const subject = { target, command };
    if (signal?.aborted === true) {
      return Promise.resolve(
        this.#failure(subject, CallCode.cancelled, "the signal was aborted before the call"),
      );
    }
    const connection = this.#connection;
    if (connection === undefined) {
      return Promise.resolve(
        this.#failure(
          subject,
          CallCode.callerDropped,
          "the client is not identified with the calls capability granted",
        ),
      );
    }
    return new Promise<CallOutcome>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        settle(this.#failure(subject, CallCode.cancelled, "the signal aborted the call"));
      };
      const settle = (outcome: CallOutcome): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#pending.delete(call);
        resolve(outcome);
      };
      this.#pending.set(call, { target, command, settle });
      if (timeout <= MAX_TIMER_MS) {
        timer = setTimeout(() => {
          settle(this.#failure(subject, CallCode.timeout, `no reply within ${timeout} ms`));
        }, timeout);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      if (!this.#host.send(connection, text)) {
        settle(this.#failure(subject, CallCode.callerDropped, "the client is not identified"));
      }
    });
  }

  /**
   * Takes a received `reply` to one of the client's calls (only while `calls` is granted).
   *
   * @returns false when it is not one (it goes on as any frame).
   */
  reply(message: Envelope, fields: JsonObject): boolean {
    if (message.type !== FrameType.reply || this.#connection === undefined) return false;
    const call = callIdOf(fields);
    if (typeof call !== "string") return false;
    const pending = this.#pending.get(call);
    // Late (timed out, cancelled) or not from whom the call went to: dropped.
    if (pending === undefined || (message.from !== SERVER && message.from !== pending.target)) {
      return true;
    }
    const data = decodeReplyData(message.data);
    if (data === undefined) {
      pending.settle(
        this.#failure(pending, CallCode.handlerFailed, "the target sent a malformed reply"),
      );
    } else if (data.ok) {
      pending.settle({ ok: true, value: data.value });
    } else {
      const remote =
        data.code === CallCode.handlerFailed
          ? { name: data.name, message: data.message, stack: data.stack }
          : {};
      pending.settle({
        ok: false,
        error: new CallError(data.code, pending.target, pending.command, data.message, remote),
      });
    }
    return true;
  }

  /**
   * The call id of a received command to answer: a command from a peer with a valid `call`,
   * while `calls` is granted; `undefined` for a plain command.
   */
  callOf(message: Envelope, fields: JsonObject): string | undefined {
    if (this.#connection === undefined || message.from === undefined || message.from === SERVER) {
      return undefined;
    }
    const call = callIdOf(fields);
    return typeof call === "string" ? call : undefined;
  }

  /**
   * Answers the call `call` from `caller`: runs `fn` (the command's function, `undefined`
   * when there is none) and sends its result, or what it threw, as the `reply`. A reply that
   * is ready after the connection it came on ended is not sent (the relay told the caller
   * `TARGET_LEFT` already).
   */
  answer(
    call: string,
    caller: string,
    fn: Handler | undefined,
    kwargs: Readonly<JsonObject>,
    context: CommandContext,
  ): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    const send = (data: ReplyData): void => {
      this.#host.send(connection, this.#replyText(caller, call, data));
    };
    if (fn === undefined) {
      send({
        ok: false,
        code: CallCode.noSuchCommand,
        message: `${this.#host.name} has no function for command "${context.command}"`,
      });
      return;
    }
    let result: unknown;
    try {
      result = fn(kwargs, context);
    } catch (error) {
      send(this.#thrown(error));
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => send(valueReply(value)),
        (error: unknown) => send(this.#thrown(error)),
      );
    } else {
      send(valueReply(result));
    }
  }

  /** The text of a reply, or of a `REPLY_TOO_LARGE` one when it is not JSON or too large. */
  #replyText(caller: string, call: string, data: ReplyData): string {
    const limit = this.#maxFrameBytes - REPLY_RESERVE_BYTES;
    let text: string | undefined;
    let problem: string;
    try {
      text = JSON.stringify(replyFrame(caller, call, data));
      problem = `the reply would be ${utf8Length(text)} bytes; the relay takes frames of at most ${this.#maxFrameBytes}`;
    } catch (error) {
      problem = `the result is not JSON (${error instanceof Error ? error.message : String(error)})`;
    }
    if (text !== undefined && utf8Length(text) <= limit) return text;
    return JSON.stringify(
      replyFrame(caller, call, {
        ok: false,
        code: CallCode.replyTooLarge,
        message: problem.slice(0, MAX_REMOTE_MESSAGE),
      }),
    );
  }

  /** The `HANDLER_FAILED` reply for what a command function threw. */
  #thrown(error: unknown): ReplyData {
    const name = error instanceof Error ? error.name : typeof error;
    const message =
      error instanceof Error ? error.message : typeof error === "string" ? error : String(error);
    const data: ReplyData = {
      ok: false,
      code: CallCode.handlerFailed,
      name,
      message: message.slice(0, MAX_REMOTE_MESSAGE),
    };
    if (this.#host.replyStacks && error instanceof Error && typeof error.stack === "string") {
      data.stack = error.stack.slice(0, MAX_REMOTE_STACK);
    }
    return data;
  }

  #failure(
    { target, command }: { target: string; command: string },
    code: CallCodeName,
    message: string,
  ): CallOutcome {
    return { ok: false, error: new CallError(code, target, command, message) };
  }
}

/**
 * The reply for a command function's result: `undefined` is no value; anything else goes as
 * what JSON keeps of it. A result JSON cannot hold (a function, a `BigInt`, a cycle) is
 * `REPLY_TOO_LARGE`.
 */
function valueReply(value: unknown): ReplyData {
  if (value === undefined) return { ok: true };
  let serialised: string | undefined;
  try {
    serialised = JSON.stringify(value);
  } catch (error) {
    return notJson(error instanceof Error ? error.message : String(error));
  }
  if (serialised === undefined) return notJson(`a ${typeof value} has no JSON form`);
  // Parsed back: what goes out is exactly what JSON keeps of the result, as a Json value.
  return { ok: true, value: JSON.parse(serialised) };
}

function notJson(why: string): ReplyData {
  return {
    ok: false,
    code: CallCode.replyTooLarge,
    message: `the result is not JSON (${why})`.slice(0, MAX_REMOTE_MESSAGE),
  };
}
