/**
 * The relay on one machine: the production Worker bundle running on workerd through
 * Miniflare, started from this process. The seed's `SockerServer`, in TypeScript, with its
 * typed hooks and the quick check of the address before workerd starts.
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { Miniflare } from "miniflare";
import { WsComSrvError } from "wscomsrv-protocol";
import { GOING_AWAY_ROUTE } from "../config/index.js";
import { findBundle, WORKER } from "./bundle.js";
import {
  AddressInUseError,
  fromStartFailure,
  ListenError,
  runtimeStartError,
  systemCode,
} from "./errors.js";
import { miniflareModule } from "./miniflare-module.js";
import { miniflareOptions } from "./miniflare-options.js";
import { type ResolvedOptions, resolveOptions, type SocketServerOptions } from "./options.js";
import { preparePersistDir } from "./persist-dir.js";
import {
  type ClientEvent,
  type ConsoleEntry,
  decodeRuntimeLog,
  isBenignRuntimeLine,
} from "./runtime-log.js";

/**
 * The hooks of a {@link SocketServer}, by name, with the value each receives.
 *
 * @example
 * ```ts
 * const hook = (event: SocketServerEvents["client"]) => console.log(event.type);
 * server.on("client", hook);
 * ```
 */
export interface SocketServerEvents {
  /** A client connected, identified, was refused, closed or failed, in some room. */
  client: ClientEvent;
  /** Anything else the Worker printed: error reports, warnings. */
  console: ConsoleEntry;
}

/**
 * A running relay: the seed's `SockerServer`. `SocketServer.start()` is the seed's
 * constructor and `run_forever()` in one (the server runs until {@link SocketServer.close});
 * {@link SocketServer.wsAddress} is the seed's `ws_adress`.
 *
 * @example
 * ```ts
 * import { SocketServer } from "wscomsrv-edge";
 *
 * const server = await SocketServer.start(); // ws://127.0.0.1:8888
 * server.on("client", (event) => console.log(event.type, event.room));
 * // clients connect to `${server.wsAddress}/<room>`
 * await server.close();
 * ```
 */
export class SocketServer {
  /** The address it listens on, as given. Default `"127.0.0.1"`. */
  readonly host: string;
  /** The port it listens on (the one picked when `0` was asked for). Default `8888`. */
  readonly port: number;
  /** The absolute persistence directory, or `undefined` when nothing is kept. */
  readonly persist: string | undefined;
  readonly #miniflare: Miniflare;
  readonly #hooks: Hooks<SocketServerEvents>;
  /** The rooms a socket connected to since the start: those that may hold sockets. */
  readonly #rooms: ReadonlySet<string>;
  /** The key of the Worker's going-away route for this start. */
  readonly #goingAwayKey: string;
  #closing: Promise<void> | undefined;

  private constructor(
    miniflare: Miniflare,
    hooks: Hooks<SocketServerEvents>,
    rooms: ReadonlySet<string>,
    goingAwayKey: string,
    options: ResolvedOptions,
    port: number,
  ) {
    this.#miniflare = miniflare;
    this.#hooks = hooks;
    this.#rooms = rooms;
    this.#goingAwayKey = goingAwayKey;
    this.host = options.host;
    this.port = port;
    this.persist = options.persist;
  }

  /**
   * Starts a relay and resolves once it accepts connections (a few tenths of a second; the first
   * start in a process loads Miniflare first, most of a second more: docs/server.md has the
   * figures of `node scripts/measure-restart.js`).
   *
   * Defaults: host `"127.0.0.1"`, port `8888`, open rooms, nothing persisted.
   *
   * @throws TypeError or RangeError at once for a bad option.
   * @returns A promise that rejects with a `WsComSrvError` (`code` `"ERR_CONFIG"`), before
   *   anything starts, when the room options contradict each other (a `"token"` room without
   *   `tokenKeys`); with an {@link AddressInUseError} (`"EADDRINUSE"`) when the port is taken,
   *   a `ListenError` (`"ERR_LISTEN"`) when the address cannot be listened on, a
   *   `BundleMissingError` (`"ERR_BUNDLE_MISSING"`) before `npm run build`, or a
   *   `WsComSrvError` with `"ERR_RUNTIME_START"` when workerd fails, a `PersistError`
   *   (`"ERR_PERSIST"`) when the `persist` directory cannot be used. No process is left behind.
   *
   * @example
   * ```ts
   * const server = await SocketServer.start({ port: 0, password: "s3cret" });
   * console.log(server.wsAddress); // ws://127.0.0.1:40123
   * await server.close();
   * ```
   */
  static start(options: SocketServerOptions = {}): Promise<SocketServer> {
    const resolved = resolveOptions(options);
    if (resolved instanceof WsComSrvError) return Promise.reject(resolved);
    return SocketServer.#launch(resolved);
  }

  static async #launch(options: ResolvedOptions): Promise<SocketServer> {
    if (options.persist !== undefined) await preparePersistDir(options.persist);
    const scriptPath = await findBundle(options.scriptPath);
    // A taken port or a bad host is found here in a millisecond, before any process exists.
    await probePort(options.host, options.port);
    const hooks = new Hooks<SocketServerEvents>();
    const rooms = new Set<string>();
    const key = randomBytes(32).toString("hex");
    const bindings = { ...options.bindings, [GOING_AWAY_ROUTE.variable]: key };
    let miniflare: Miniflare;
    try {
      const { Miniflare } = miniflareModule();
      miniflare = new Miniflare(
        miniflareOptions({ ...options, bindings }, scriptPath, (log) => {
          // workerd's reports of a peer gone mid-operation: the client events say it already.
          if (isBenignRuntimeLine(log.message)) return;
          const decoded = decodeRuntimeLog(log);
          if (decoded.kind === "client") {
            if (decoded.event.type === "connect") rooms.add(decoded.event.room);
            hooks.emit("client", decoded.event);
          } else {
            hooks.emit("console", decoded.entry);
          }
        }),
      );
    } catch (error) {
      throw runtimeStartError(error);
    }
    try {
      await miniflare.ready;
      const url = await miniflare.unsafeGetDirectURL(WORKER.name);
      return new SocketServer(miniflare, hooks, rooms, key, options, Number(url.port));
    } catch (error) {
      // Ends workerd; Miniflare rejects here again with the same startup failure.
      await miniflare.dispose().catch(() => {});
      // Another server can take the port between the probe and workerd's bind.
      throw fromStartFailure(options.host, options.port, error);
    }
  }

  /**
   * `ws://host:port`, the address clients connect to, followed by `/<room>` (the seed's
   * `ws_adress`; `/` alone is the room `default`). An IPv6 host is put in brackets.
   *
   * @example
   * ```ts
   * new WebSocket(`${server.wsAddress}/lobby`);
   * ```
   */
  get wsAddress(): string {
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    return `ws://${host}:${this.port}`;
  }

  /**
   * Adds a hook; returns the function that removes it. Hooks run in the order they were
   * added; `"client"` gets every {@link ClientEvent}, `"console"` every other line the
   * Worker printed.
   *
   * @example
   * ```ts
   * const off = server.on("client", (event) => {
   *   if (event.type === "identified") console.log(`${event.name} joined ${event.room}`);
   * });
   * off();
   * ```
   */
  on<K extends keyof SocketServerEvents>(
    type: K,
    hook: (value: SocketServerEvents[K]) => void,
  ): () => void {
    return this.#hooks.on(type, hook);
  }

  /**
   * Stops the relay: closes every client's socket with `1001` ("going away", reason
   * `"relay stopping"`) and waits until the clients answered the close (at most about
   * 1 s), then ends the workerd process and frees the port. Safe to call more than once.
   *
   * @example
   * ```ts
   * process.once("SIGINT", () => void server.close());
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= goAway(this.#miniflare, this.#goingAwayKey, this.#rooms)
      .then(() => this.#miniflare.dispose())
      .finally(() => this.#hooks.clear());
    return this.#closing;
  }
}

/** How long {@link SocketServer.close} waits, at most, for the rooms to close their sockets. */
const GOING_AWAY_BOUND_MS = 1_000;

/**
 * Asks each room in `rooms` to close its sockets with 1001 (a request to the Worker's
 * going-away route, with the key of this start), and resolves when all have answered, or
 * after {@link GOING_AWAY_BOUND_MS}. Never rejects: a room that fails is left to the
 * runtime's end.
 */
async function goAway(
  miniflare: Miniflare,
  key: string,
  rooms: ReadonlySet<string>,
): Promise<void> {
  if (rooms.size === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, GOING_AWAY_BOUND_MS);
  });
  const request = miniflare
    .dispatchFetch(`http://localhost${GOING_AWAY_ROUTE.path}`, {
      method: "POST",
      headers: { [GOING_AWAY_ROUTE.header]: key, "content-type": "application/json" },
      body: JSON.stringify([...rooms]),
    })
    .then((response) => response.arrayBuffer())
    .catch(() => {});
  try {
    await Promise.race([request, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A small typed hook list: `on()` returns the function that removes the hook, and the list is
 * copied before it is called, so a hook may remove itself or add others.
 */
class Hooks<Events> {
  readonly #lists = new Map<keyof Events, Set<(value: never) => void>>();

  /** Adds a hook; returns the function that removes it. */
  on<K extends keyof Events>(type: K, hook: (value: Events[K]) => void): () => void {
    let list = this.#lists.get(type);
    if (list === undefined) {
      list = new Set();
      this.#lists.set(type, list);
    }
    // Wrapped, so that adding the same function twice gives two independent hooks.
    const entry = (value: Events[K]) => hook(value);
    list.add(entry as (value: never) => void);
    return () => {
      list.delete(entry as (value: never) => void);
    };
  }

  /** Calls every hook of `type` with `value`, in the order they were added. */
  emit<K extends keyof Events>(type: K, value: Events[K]): void {
    const list = this.#lists.get(type);
    if (list === undefined) return;
    for (const hook of [...list]) (hook as (value: Events[K]) => void)(value);
  }

  /** Removes every hook. */
  clear(): void {
    this.#lists.clear();
  }
}

/**
 * Binds a plain TCP server to `host:port` and closes it again: a taken port is then reported
 * in about a millisecond, without a process to clean up. The check leaves a short gap before
 * workerd binds; the caller still maps workerd's own address-in-use failure. With port `0` it
 * checks the host alone.
 *
 * @throws AddressInUseError (rejects) when the port is taken, ListenError for any other
 *   failure to listen.
 */
function probePort(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", (error) => {
      reject(
        systemCode(error) === "EADDRINUSE"
          ? new AddressInUseError(host, port, { cause: error })
          : new ListenError(host, port, { cause: error }),
      );
    });
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve());
    });
  });
}
