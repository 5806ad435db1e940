/**
 * The local server's options, their defaults, and the checks that turn a caller's mistake
 * into an immediate `TypeError` or `RangeError`.
 *
 * @module
 */

import { resolve } from "node:path";
import { type Limits, parseLimits } from "wscomsrv-protocol";

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
 * Limits for every room (the Worker's `LIMITS`); each field left out keeps the relay's default
 * (`DEFAULT_LIMITS` in `src/protocol/limits.ts`). Positive integers; `maxNameLength` at most 64.
 *
 * @example
 * ```ts
 * const limits: RoomLimits = { maxConnections: 50, framesPerSecond: 100 };
 * await SocketServer.start({ limits });
 * ```
 */
export type RoomLimits = Partial<Limits>;

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
 * How a room lets clients in: anyone, with the password, or with a signed token.
 *
 * @example
 * ```ts
 * await SocketServer.start({ password: "pw", roomPolicy: { "lab-*": "password", "*": "open" } });
 * ```
 */
export type RoomPolicy = "open" | "password" | "token";

/**
 * Options of `SocketServer.start` and `connectToFirstFreePort`; every one is optional.
 *
 * @example
 * ```ts
 * const options: SocketServerOptions = { host: "0.0.0.0", port: 9000, persist: ".relay-state" };
 * const server = await SocketServer.start(options);
 * ```
 */
export interface SocketServerOptions {
  /**
   * Address to listen on: an IP address or a host name. `"0.0.0.0"` or `"::"` listen on every
   * interface. Default `"127.0.0.1"`.
   */
  host?: string;
  /** Port to listen on, 0 to 65535; `0` picks a free one. Default `8888`. */
  port?: number;
  /**
   * The room password (the Worker's `ROOM_PASSWORD`). With one, rooms ask for it at identify
   * unless `roomPolicy` says otherwise. Unset or `""`: no password. Default: unset.
   */
  password?: string;
  /**
   * How rooms let clients in (the Worker's `ROOM_POLICY`): one policy for every room, or a
   * map from room names, name prefixes ending in `*`, and `"*"` to policies. `"password"`
   * needs `password`, `"token"` needs `tokenKeys`. Default: `"password"` when a password is
   * set, else `"open"`.
   */
  roomPolicy?: RoomPolicy | Readonly<Record<string, RoomPolicy>>;
  /**
   * Token signing secrets by key id (the Worker's `TOKEN_KEYS`), for rooms with the `"token"`
   * policy. Key ids are 1 to 32 of `A-Z a-z 0-9 _ -`; secrets have at least 32 bytes.
   * Default: none.
   */
  tokenKeys?: Readonly<Record<string, string>>;
  /**
   * Origins browsers may connect from (the Worker's `ALLOWED_ORIGINS`), e.g.
   * `["https://app.example"]`. Default: unset, any origin.
   */
  allowedOrigins?: readonly string[];
  /**
   * Limits for every room (the Worker's `LIMITS`). Default: the relay's defaults, but for
   * {@link LOCAL_LIMITS} (no per-socket rate limit to speak of); each field given here wins.
   */
  limits?: RoomLimits;
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
  /** The Worker's variables and secrets (`ROOM_PASSWORD`, `LIMITS`…), as text. */
  bindings: Record<string, string>;
}

/**
 * Applies the defaults, checks every option, and turns the room options into the Worker's
 * variables. The Worker checks their values once more (a configuration it refuses makes it
 * answer every connection with HTTP 500 and log `relay misconfigured: …`).
 *
 * @throws TypeError or RangeError naming the option, for a caller's mistake.
 */
export function resolveOptions(options: SocketServerOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  const host = options.host ?? DEFAULT_HOST;
  if (typeof host !== "string" || host.trim() === "") {
    throw new TypeError(`options.host must be a non-empty string, got ${describe(host)}`);
  }
  const port = options.port ?? DEFAULT_PORT;
  checkPort("options.port", port, 0);
  const persist = optionalString("options.persist", options.persist);
  const scriptPath = optionalString("options.scriptPath", options.scriptPath);
  return {
    host,
    port,
    persist: persist === undefined || persist === "" ? undefined : resolve(persist),
    scriptPath: scriptPath === undefined || scriptPath === "" ? undefined : resolve(scriptPath),
    bindings: workerBindings(options),
  };
}

function workerBindings(options: SocketServerOptions): Record<string, string> {
  const bindings: Record<string, string> = {};
  const password = optionalString("options.password", options.password);
  if (password !== undefined && password !== "") bindings.ROOM_PASSWORD = password;
  const policy = checkPolicy(options.roomPolicy);
  if (policy !== undefined) bindings.ROOM_POLICY = policy;
  const keys = checkStringMap("options.tokenKeys", options.tokenKeys);
  if (keys !== undefined) bindings.TOKEN_KEYS = JSON.stringify(keys);
  const origins = checkOrigins(options.allowedOrigins);
  if (origins !== undefined) bindings.ALLOWED_ORIGINS = origins.join(",");
  const limits = checkLimits({ ...LOCAL_LIMITS, ...checkLimits(options.limits) });
  bindings.LIMITS = JSON.stringify(limits);
  return bindings;
}

/**
 * Throws a `TypeError` unless `port` is an integer, a `RangeError` unless it lies in
 * `min`..65535.
 */
export function checkPort(what: string, port: unknown, min: number): asserts port is number {
  if (typeof port !== "number" || !Number.isInteger(port)) {
    throw new TypeError(`${what} must be an integer, got ${describe(port)}`);
  }
  if (port < min || port > 65_535) {
    throw new RangeError(`${what} must be from ${min} to 65535, got ${port}`);
  }
}

function optionalString(what: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  throw new TypeError(`${what} must be a string, got ${describe(value)}`);
}

const POLICIES: ReadonlySet<unknown> = new Set(["open", "password", "token"]);

function checkPolicy(policy: unknown): string | undefined {
  if (policy === undefined) return undefined;
  if (POLICIES.has(policy)) return policy as string;
  const map = checkStringMap("options.roomPolicy", policy);
  for (const [pattern, value] of Object.entries(map ?? {})) {
    if (!POLICIES.has(value)) {
      throw new TypeError(
        `options.roomPolicy["${pattern}"] must be "open", "password" or "token", got ${describe(value)}`,
      );
    }
  }
  return JSON.stringify(map);
}

function checkStringMap(what: string, value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object, got ${describe(value)}`);
  }
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") {
      throw new TypeError(`${what}["${key}"] must be a string, got ${describe(entry)}`);
    }
  }
  return { ...(value as Record<string, string>) };
}

function checkOrigins(origins: unknown): string[] | undefined {
  if (origins === undefined) return undefined;
  if (!Array.isArray(origins)) {
    throw new TypeError(`options.allowedOrigins must be an array, got ${describe(origins)}`);
  }
  for (const origin of origins) {
    if (typeof origin !== "string" || !/^[^\s,]+$/.test(origin)) {
      throw new TypeError(
        `options.allowedOrigins must hold origins like "https://app.example", got ${describe(origin)}`,
      );
    }
  }
  return [...origins] as string[];
}

function checkLimits(limits: unknown): RoomLimits | undefined {
  if (limits === undefined) return undefined;
  if (typeof limits !== "object" || limits === null || Array.isArray(limits)) {
    throw new TypeError(`options.limits must be an object, got ${describe(limits)}`);
  }
  const given = Object.fromEntries(
    Object.entries(limits).filter(([, value]) => value !== undefined),
  ) as RoomLimits;
  // The Worker's own rules, from the shared module.
  const problem = parseLimits(given);
  if (typeof problem === "string") throw new RangeError(`options.limits: ${problem}`);
  return given;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  return typeof value;
}
