/**
 * The local server's options, their defaults, and the checks that turn a caller's mistake
 * into an immediate `TypeError` or `RangeError`.
 *
 * @module
 */

import { resolve } from "node:path";
import { WsComSrvError } from "wscomsrv-protocol";
import {
  checkRelayConfig,
  describeValue,
  type RelaySettings,
  type RoomLimits,
  type RoomLimitsSetting,
  relayVariables,
} from "../config/index.js";

/**
 * The address the server listens on by default, as the seed's `SockerServer`: `"127.0.0.1"`.
 *
 * @example
 * ```ts
 * const server = await SocketServer.start();
 * server.host === DEFAULT_HOST; // true
 * ```
 */
export const DEFAULT_HOST = "127.0.0.1";

/**
 * The port the server listens on by default, as the seed's `SockerServer`: `8888`.
 *
 * @example
 * ```ts
 * const server = await connectToFirstFreePort(DEFAULT_PORT);
 * ```
 */
export const DEFAULT_PORT = 8888;

/**
 * The limits the local server changes from the edge's defaults (`DEFAULT_LIMITS`), unless
 * `limits` sets them: no per-socket rate limit to speak of (a million frames a second, a
 * million at once). On one machine there is no bill and no neighbour to protect: a data
 * logger that writes 20,000 frames in a burst must have every one delivered, as with the
 * seed's own server. What keeps one flooding client from stalling the others is the per-event
 * cost limits (`maxEventDeliveries`, `maxEventBytes`), which stay at their defaults: the room
 * takes one event at a time, in the order they arrive, so the others' frames go on between
 * the flood's.
 *
 * @example
 * ```ts
 * await SocketServer.start({ limits: { framesPerSecond: 5_000, frameBurst: 20_000 } }); // the edge's
 * ```
 */
export const LOCAL_LIMITS: Readonly<RoomLimits> = Object.freeze({
  framesPerSecond: 1_000_000,
  frameBurst: 1_000_000,
});

/**
 * Options of `SocketServer.start` and `connectToFirstFreePort`; every one is optional.
 *
 * @example
 * ```ts
 * const options: SocketServerOptions = { host: "0.0.0.0", port: 9000, persist: ".relay-state" };
 * const server = await SocketServer.start(options);
 * ```
 */
export interface SocketServerOptions extends RelaySettings {
  /**
   * Address to listen on: an IP address or a host name. `"0.0.0.0"` or `"::"` listen on every
   * interface. Default `"127.0.0.1"`.
   */
  host?: string;
  /** Port to listen on, 0 to 65535; `0` picks a free one. Default `8888`. */
  port?: number;
  /**
   * Limits for every room (the Worker's `LIMITS`). Default: the relay's defaults, but for
   * {@link LOCAL_LIMITS} (no per-socket rate limit to speak of); each field given here wins.
   */
  limits?: RoomLimits | undefined;
  /**
   * Limits by room (the Worker's `ROOM_LIMITS`): room names, prefixes ending in `*`, and `"*"`,
   * matched as `roomPolicy`'s map is. A room's limits are `limits` (with {@link LOCAL_LIMITS}
   * under them), then the fields of the one entry that matches it best. Default: none.
   *
   * @example
   * ```ts
   * await SocketServer.start({ roomLimits: { "lab-*": { mailWindowMs: 600_000 } } });
   * ```
   */
  roomLimits?: RoomLimitsSetting | undefined;
  /**
   * Directory for the rooms' durable state (their epochs, names' resume secrets…), created
   * when missing. With one, that state survives a restart. Without one, nothing is kept: the
   * rooms live in a private scratch directory of Miniflare's under the OS temp directory,
   * deleted by `close()`. Default: unset.
   */
  persist?: string;
  /**
   * The Worker bundle to run. Default: the one `npm run build` writes to `dist/worker`, the
   * same file `wrangler deploy` uploads.
   */
  scriptPath?: string;
}

/** The options with defaults applied, paths made absolute, and the Worker's variables. */
export interface ResolvedOptions {
  host: string;
  port: number;
  persist: string | undefined;
  scriptPath: string | undefined;
  /** The Worker's variables and secrets (`ROOM_PASSWORD`, `LIMITS`, `ROOM_LIMITS`…), as text. */
  bindings: Record<string, string>;
}

/**
 * Applies the defaults, checks every option, the room options with the relay's own rules
 * (`src/config`), and turns the room options into the Worker's variables.
 *
 * @throws TypeError or RangeError naming the option, for a caller's mistake.
 * @returns The resolved options, or an `ERR_CONFIG` error when the room options contradict
 *   each other (a `"token"` room without token keys).
 */
export function resolveOptions(
  options: SocketServerOptions,
): ResolvedOptions | WsComSrvError<"ERR_CONFIG"> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`options must be an object, got ${describeValue(options)}`);
  }
  const host = options.host ?? DEFAULT_HOST;
  if (typeof host !== "string" || host.trim() === "") {
    throw new TypeError(`options.host must be a non-empty string, got ${describeValue(host)}`);
  }
  const port = options.port ?? DEFAULT_PORT;
  checkPort("options.port", port, 0);
  const persist = optionalString("options.persist", options.persist);
  const scriptPath = optionalString("options.scriptPath", options.scriptPath);
  const checked = checkRelayConfig(
    { ...options, limits: withLocalLimits(options.limits) },
    (setting) => `options.${setting}`,
  );
  if (!checked.ok) {
    if (checked.kind === "type") throw new TypeError(checked.problem);
    if (checked.kind === "range") throw new RangeError(checked.problem);
    return new WsComSrvError(
      "ERR_CONFIG",
      `the relay refuses this configuration: ${checked.problem}`,
    );
  }
  return {
    host,
    port,
    persist: persist === undefined || persist === "" ? undefined : resolve(persist),
    scriptPath: scriptPath === undefined || scriptPath === "" ? undefined : resolve(scriptPath),
    bindings: relayVariables(checked.config),
  };
}

/** {@link LOCAL_LIMITS} under the limits given; anything but an object is left to the check. */
function withLocalLimits(limits: unknown): unknown {
  if (limits === undefined) return LOCAL_LIMITS;
  if (typeof limits !== "object" || limits === null || Array.isArray(limits)) return limits;
  const given = Object.entries(limits).filter(([, value]) => value !== undefined);
  return { ...LOCAL_LIMITS, ...Object.fromEntries(given) };
}

/**
 * Throws a `TypeError` unless `port` is an integer, a `RangeError` unless it lies in
 * `min`..65535.
 */
export function checkPort(what: string, port: unknown, min: number): asserts port is number {
  if (typeof port !== "number" || !Number.isInteger(port)) {
    throw new TypeError(`${what} must be an integer, got ${describeValue(port)}`);
  }
  if (port < min || port > 65_535) {
    throw new RangeError(`${what} must be from ${min} to 65535, got ${port}`);
  }
}

function optionalString(what: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  throw new TypeError(`${what} must be a string, got ${describeValue(value)}`);
}
