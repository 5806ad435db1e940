/**
 * The options of `WebSocketClient`, their defaults, and their checks.
 *
 * @module
 */

import { Capability, type CapabilityName } from "wscomsrv-protocol";
import { type BackoffOptions, checkBackoffOptions, DEFAULT_BACKOFF } from "./backoff.js";
import { type BatchLimits, DEFAULT_BATCH_LIMITS } from "./batcher.js";
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from "./queue.js";
import type { WebSocketConstructor } from "./transport.js";
import { DEFAULT_UNCONFIRMED_LIMITS, type UnconfirmedLimits } from "./unconfirmed.js";

/**
 * Where the client writes its warnings and the errors no error hook took.
 *
 * @example
 * ```ts
 * const quiet: Logger = { warn: () => {}, error: console.error };
 * new WebSocketClient("Sensor", { logger: quiet });
 * ```
 */
export interface Logger {
  /** A warning, for example a refused `addOnOpen` under a taken name. */
  warn(...data: unknown[]): void;
  /** An error no hook could take (an error hook that threw). */
  error(...data: unknown[]): void;
}

/**
 * The options of `WebSocketClient`. Every one is optional.
 *
 * @example
 * ```ts
 * const options: ClientOptions = {
 *   host: "ws://127.0.0.1:8888/lab",
 *   password: "s3cret",
 *   reconnectMaxDelay: 5_000,
 *   maxQueuedFrames: 100,
 * };
 * const wsc = new WebSocketClient("Sensor", options);
 * ```
 */
export interface ClientOptions {
  /**
   * The relay's address, for example `ws://127.0.0.1:8888` or `wss://relay.example.com/myroom`
   * (the path names the room). With `autoConnect`, the client connects at once.
   * Default: none; call `connectToSocket(url)`.
   */
  host?: string;
  /** Connect in the constructor when `host` is given. Default `true`. */
  autoConnect?: boolean;
  /**
   * Reconnect after the socket closes, unless `close()` was called or the close code says
   * retrying cannot help. Also settable later as `client.reconnect`. Default `true`.
   */
  reconnect?: boolean;
  /** The room password, sent with the identify. Default: none. */
  password?: string;
  /**
   * A signed token for this name and room (rooms with the relay's `token` policy). It is
   * offered as the WebSocket subprotocol `wscomsrv.token.<token>`, next to `wscomsrv`, so it
   * stays out of URLs and logs. Also settable later as `client.token` (for a fresh token
   * before the next reconnect). Default: none.
   */
  token?: string;
  /**
   * A resume secret from an earlier run of this client (read from `client.resumeSecret` and
   * kept somewhere safe, like a password), presented at the first identify (kwarg `resume`).
   * A restarted process whose old connection is half-open, so that the relay still holds its
   * name, then takes the name back at once (the relay closes the old socket with 4010)
   * instead of waiting for the relay to find the old socket dead. A secret the relay no longer
   * has for the name is no proof and is replaced. Default: none.
   */
  resume?: string;
  /**
   * The extension frames to ask the relay for at identify. With none, the relay sends no
   * `identified` answer and the client counts itself identified as soon as it has sent its
   * identify (as the seed did). Default
   * `["errors", "undelivered", "resume", "heartbeat", "batch", "acks", "calls", "delivery", "receipts", "presence", "stamps"]`.
   */
  capabilities?: readonly CapabilityName[];
  /**
   * Milliseconds to wait for the relay's `identified` answer after an identify that asked for
   * capabilities. Without one by then, the client takes the server for one without extensions
   * (the seed's own server never answers an identify), warns, and counts itself identified
   * with no capability granted, so that its queue goes out. `0` waits for ever. Default 5,000.
   */
  identifiedTimeout?: number;
  /**
   * Coalesce the frames written in one tick into one `batch` frame, when the relay grants
   * the `batch` capability. `false` leaves `batch` out of the capabilities asked for, so
   * every frame goes out on its own. Default `true`.
   */
  batch?: boolean;
  /** Most frames in one batch; keep it at or below the relay's `maxBatchFrames`. Default 1,000. */
  maxBatchFrames?: number;
  /**
   * Most UTF-8 bytes in one batch, wrapper included; at most the relay's `maxFrameBytes`
   * (1 MiB by default). Default 64 KiB (65,536): larger batches move fewer frames per second.
   */
  maxBatchBytes?: number;
  /**
   * Most frame texts kept until the relay acks them (capability `acks`). Past it, the oldest
   * texts are let go and only counted: a later ack confirms them all the same, and a close
   * before one reports how many there were (`UnconfirmedError.untracked`). With `delivery`,
   * it is a window: the relay acks a frame only once its receivers confirmed it, and past the
   * window new frames wait in the send queue until acks make room; the texts kept are what is
   * sent again after a broken connection. Default 20,000.
   */
  maxUnconfirmedFrames?: number;
  /** Most UTF-8 bytes of frame texts kept until the relay acks them. Default 8 MiB. */
  maxUnconfirmedBytes?: number;
  /**
   * The WebSocket class to use. Default: in Node, the `ws` package; elsewhere the runtime's
   * `globalThis.WebSocket`.
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Milliseconds between heartbeats while identified, when the relay granted the `heartbeat`
   * capability. A connection that has received nothing, not even a heartbeat answer, for two
   * intervals is taken for dead: the client drops it (close code 4011) and reconnects. The
   * relay, for its part, frees the name of a socket whose heartbeats stop. `0` turns
   * heartbeats off (the capability is not asked for). Default 15,000.
   */
  heartbeatInterval?: number;
  /**
   * Most reconnect attempts in a row without an identify in between. When the last one fails
   * too, the client closes for good (`state` `"closed"`) and the error hooks get a
   * `RETRIES_EXHAUSTED` error; `ready()` rejects with it. Every identify starts the count
   * again, as does `connectToSocket`. `0` never reconnects. Default
   * `Infinity`.
   *
   * @example
   * ```ts
   * new WebSocketClient("Sensor", { host, maxRetries: 5 });
   * ```
   */
  maxRetries?: number;
  /**
   * Milliseconds a socket may take to open (TCP, TLS and the WebSocket upgrade). A socket not
   * open by then is dropped: the error hooks get a `CONNECTION_ERROR`, the close hooks a close
   * with code 1006, and it counts as a failed attempt (a reconnect follows, within
   * `maxRetries`). `0` waits for ever. Default 10,000.
   */
  connectTimeout?: number;
  /** The ceiling of the first reconnect delay, in ms. Default 1,000. */
  reconnectBaseDelay?: number;
  /** The longest reconnect delay, in ms. Default 30,000. */
  reconnectMaxDelay?: number;
  /**
   * Most frames held while the client cannot send. Frames sent again after a broken
   * connection (`delivery`) are put back first and never dropped, but count: while they fill
   * the queue, new frames are refused (`QUEUE_OVERFLOW`). Default 20,000.
   */
  maxQueuedFrames?: number;
  /** Most UTF-8 bytes held while the client cannot send, all frames together. Default 8 MiB. */
  maxQueuedBytes?: number;
  /** Where warnings go. Default `console`. */
  logger?: Logger;
  /**
   * When a command function called through `call()` throws, send the caller the error's
   * stack along with its name and message (`CallError.remoteStack`). Stacks show the
   * callee's code paths; turn this on where the caller may see them. Default `false`.
   */
  replyStacks?: boolean;
  /**
   * The local clock, in ms since 1970, that the client reads to estimate the relay's clock
   * (`serverNow()`): every local reading of the clock's samples, `serverNow()` itself, and
   * the `at` of a leave the client finds by comparing rosters after a reconnect.
   * For tests (a clock that is minutes off) and for a monotonic source of your own.
   * Default `Date.now`.
   */
  now?: () => number;
}

/**
 * The options with every default filled in.
 *
 * @example
 * ```ts
 * resolveOptions({}).backoff; // { baseDelay: 1000, maxDelay: 30000 }
 * ```
 */
export interface ResolvedOptions {
  host: string | undefined;
  autoConnect: boolean;
  reconnect: boolean;
  password: string | undefined;
  token: string | undefined;
  resume: string | undefined;
  capabilities: readonly CapabilityName[];
  identifiedTimeout: number;
  WebSocket: WebSocketConstructor | undefined;
  heartbeatInterval: number;
  maxRetries: number;
  connectTimeout: number;
  backoff: BackoffOptions;
  queue: QueueLimits;
  batch: BatchLimits;
  unconfirmed: UnconfirmedLimits;
  logger: Logger;
  replyStacks: boolean;
  now: () => number;
}

/**
 * The capabilities asked for by default: error reports, undelivered targets, `resume` (with
 * which a reconnect takes the client's name back from a socket the relay still holds, one
 * that died without the relay noticing yet, instead of being refused with `NAME_TAKEN`),
 * `heartbeat` (see `heartbeatInterval`), `batch` (see the `batch` option), `acks` (frames
 * the relay never confirmed are reported, see `UnconfirmedError`), `calls` (`call()`, and
 * answers to the calls of others), `delivery` (exactly-once delivery: duplicates dropped,
 * unacked frames sent again), `receipts` (`deliver()`), `presence` (`members` and the
 * join, away, back, moved and leave hooks) and `stamps` (the relay's receive time on every
 * frame from a peer, `MessageContext.relayTime`).
 * Internal; the `capabilities` option lists them.
 */
export const DEFAULT_CAPABILITIES: readonly CapabilityName[] = Object.freeze([
  Capability.errors,
  Capability.undelivered,
  Capability.resume,
  Capability.heartbeat,
  Capability.batch,
  Capability.acks,
  Capability.calls,
  Capability.delivery,
  Capability.receipts,
  Capability.presence,
  Capability.stamps,
]);

/** The default `heartbeatInterval`, in milliseconds (15 s). */
export const DEFAULT_HEARTBEAT_INTERVAL = 15_000;

/** The default {@link ClientOptions.connectTimeout}, in ms (10 s). */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/** The default {@link ClientOptions.identifiedTimeout}, in ms. */
export const DEFAULT_IDENTIFIED_TIMEOUT = 5_000;

/**
 * Fills in the defaults and throws a `TypeError` or `RangeError` for a bad option.
 *
 * @example
 * ```ts
 * resolveOptions({ reconnect: false }).reconnect; // false
 * ```
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const backoff = {
    baseDelay: options.reconnectBaseDelay ?? DEFAULT_BACKOFF.baseDelay,
    maxDelay: options.reconnectMaxDelay ?? DEFAULT_BACKOFF.maxDelay,
  };
  checkBackoffOptions(backoff);
  if (options.host !== undefined && typeof options.host !== "string") {
    throw new TypeError("options.host must be a string such as ws://127.0.0.1:8888");
  }
  const heartbeatInterval = options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL;
  if (!Number.isFinite(heartbeatInterval) || heartbeatInterval < 0) {
    throw new RangeError(
      `heartbeatInterval must be a finite number >= 0, got ${heartbeatInterval}`,
    );
  }
  const batching = options.batch ?? true;
  const capabilities = [...(options.capabilities ?? DEFAULT_CAPABILITIES)].filter(
    (capability) =>
      (heartbeatInterval > 0 || capability !== Capability.heartbeat) &&
      (batching || capability !== Capability.batch),
  );
  const batch = {
    maxFrames: count("maxBatchFrames", options.maxBatchFrames, DEFAULT_BATCH_LIMITS.maxFrames, 1),
    maxBytes: count("maxBatchBytes", options.maxBatchBytes, DEFAULT_BATCH_LIMITS.maxBytes, 1),
  };
  const unconfirmed = {
    maxFrames: count(
      "maxUnconfirmedFrames",
      options.maxUnconfirmedFrames,
      DEFAULT_UNCONFIRMED_LIMITS.maxFrames,
      0,
    ),
    maxBytes: count(
      "maxUnconfirmedBytes",
      options.maxUnconfirmedBytes,
      DEFAULT_UNCONFIRMED_LIMITS.maxBytes,
      0,
    ),
  };
  if (options.token !== undefined && (typeof options.token !== "string" || options.token === "")) {
    throw new TypeError("options.token must be a non-empty string");
  }
  if (
    options.resume !== undefined &&
    (typeof options.resume !== "string" || options.resume === "")
  ) {
    throw new TypeError("options.resume must be a non-empty string (a resume secret)");
  }
  if (options.WebSocket !== undefined && typeof options.WebSocket !== "function") {
    throw new TypeError("options.WebSocket must be a WebSocket class");
  }
  return {
    host: options.host,
    autoConnect: options.autoConnect ?? true,
    reconnect: options.reconnect ?? true,
    password: options.password,
    token: options.token,
    resume: options.resume,
    capabilities,
    identifiedTimeout: count(
      "identifiedTimeout",
      options.identifiedTimeout,
      DEFAULT_IDENTIFIED_TIMEOUT,
      0,
    ),
    WebSocket: options.WebSocket,
    heartbeatInterval,
    maxRetries: retriesOption(options.maxRetries),
    connectTimeout: count("connectTimeout", options.connectTimeout, DEFAULT_CONNECT_TIMEOUT, 0),
    backoff,
    queue: {
      maxFrames: options.maxQueuedFrames ?? DEFAULT_QUEUE_LIMITS.maxFrames,
      maxBytes: options.maxQueuedBytes ?? DEFAULT_QUEUE_LIMITS.maxBytes,
    },
    batch,
    unconfirmed,
    logger: options.logger ?? console,
    replyStacks: options.replyStacks ?? false,
    now: clockOption(options.now),
  };
}

/** The `maxRetries` option: an integer >= 0 or `Infinity` (the default); a `RangeError` otherwise. */
function retriesOption(value: number | undefined): number {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`maxRetries must be an integer >= 0 or Infinity, got ${value}`);
  }
  return value;
}

/** The `now` option: a function, or `Date.now`; a `TypeError` otherwise. */
function clockOption(now: (() => number) | undefined): () => number {
  if (now === undefined) return () => Date.now();
  if (typeof now !== "function") throw new TypeError(`now must be a function, got ${typeof now}`);
  return now;
}

/** `value` (default `fallback`) when it is an integer >= `min`; a `RangeError` otherwise. */
function count(name: string, value: number | undefined, fallback: number, min: number): number {
  const checked = value ?? fallback;
  if (!Number.isInteger(checked) || checked < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${checked}`);
  }
  return checked;
}
