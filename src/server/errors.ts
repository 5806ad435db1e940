/**
 * The errors the local server rejects with: each a `WsComSrvError` (the one error scheme of
 * WsComSrv Edge) with a stable `code` and the original error in `cause`. A class of its own
 * only for the errors that carry data of their own; the others are told apart by `code`.
 *
 * @module
 */

import { WsComSrvError } from "wscomsrv-protocol";

/**
 * The stable `code` of every error the local server rejects with:
 *
 * - `"EADDRINUSE"`: the address and port are taken by another server ({@link AddressInUseError}).
 * - `"ERR_LISTEN"`: the address cannot be listened on for another reason ({@link ListenError}).
 * - `"ERR_BUNDLE_MISSING"`: the Worker bundle is missing ({@link BundleMissingError}).
 * - `"ERR_RUNTIME_START"`: the Workers runtime (workerd) failed to start.
 * - `"ERR_NO_FREE_PORT"`: `connectToFirstFreePort` found every port taken ({@link NoFreePortError}).
 * - `"ERR_CONFIG"`: the relay refuses the room options together (a `"token"` room without
 *   token keys, a `"password"` room without a password).
 * - `"ERR_PERSIST"`: the `persist` directory cannot be used: it is a file, cannot be created
 *   or cannot be written ({@link PersistError}).
 *
 * @example
 * ```ts
 * if (isWsComSrvError(error) && error.code === ("ERR_NO_FREE_PORT" satisfies ServerErrorCode)) retryLater();
 * ```
 */
export type ServerErrorCode =
  | "EADDRINUSE"
  | "ERR_LISTEN"
  | "ERR_BUNDLE_MISSING"
  | "ERR_RUNTIME_START"
  | "ERR_NO_FREE_PORT"
  | "ERR_CONFIG"
  | "ERR_PERSIST";

/**
 * The port is taken on that address; `code` is `"EADDRINUSE"`, like Node's own error.
 *
 * @example
 * ```ts
 * try {
 *   await SocketServer.start({ port: 8888 });
 * } catch (error) {
 *   if (error instanceof AddressInUseError) console.error(`port ${error.port} is taken`);
 * }
 * ```
 */
export class AddressInUseError extends WsComSrvError<"EADDRINUSE"> {
  override name = "AddressInUseError";
  /** The address asked for. */
  readonly host: string;
  /** The port asked for. */
  readonly port: number;

  constructor(host: string, port: number, options?: { cause?: unknown }) {
    super("EADDRINUSE", `address in use: ${host}:${port} is taken by another server`, options);
    this.host = host;
    this.port = port;
  }
}

/**
 * The address cannot be listened on for a reason other than a taken port; `code` is
 * `"ERR_LISTEN"`, and the system error (`EACCES`, `EADDRNOTAVAIL`, `ENOTFOUND`…) the `cause`.
 *
 * @example
 * ```ts
 * await SocketServer.start({ host: "192.0.2.1" }); // rejects: ERR_LISTEN (EADDRNOTAVAIL)
 * ```
 */
export class ListenError extends WsComSrvError<"ERR_LISTEN"> {
  override name = "ListenError";
  /** The address asked for. */
  readonly host: string;
  /** The port asked for. */
  readonly port: number;

  constructor(host: string, port: number, options?: { cause?: unknown }) {
    const reason = systemCode(options?.cause) ?? errorMessage(options?.cause);
    super("ERR_LISTEN", `cannot listen on ${host}:${port}: ${reason}`, options);
    this.host = host;
    this.port = port;
  }
}

/**
 * The Worker bundle the server runs is not there; `code` is `"ERR_BUNDLE_MISSING"`.
 *
 * @example
 * ```ts
 * await SocketServer.start(); // rejects: ERR_BUNDLE_MISSING before `npm run build`
 * ```
 */
export class BundleMissingError extends WsComSrvError<"ERR_BUNDLE_MISSING"> {
  override name = "BundleMissingError";
  /** Where the bundle was looked for. */
  readonly paths: readonly string[];

  constructor(paths: readonly string[]) {
    super(
      "ERR_BUNDLE_MISSING",
      `the Worker bundle is missing (looked at ${paths.join(", ")}): run \`npm run build\` first`,
    );
    this.paths = paths;
  }
}

/**
 * Every port `connectToFirstFreePort` tried was taken; `code` is `"ERR_NO_FREE_PORT"`, and
 * the last {@link AddressInUseError} the `cause`.
 *
 * @example
 * ```ts
 * await connectToFirstFreePort(8888, { attempts: 1 }); // rejects when 8888 is taken
 * ```
 */
export class NoFreePortError extends WsComSrvError<"ERR_NO_FREE_PORT"> {
  override name = "NoFreePortError";
  /** The address asked for. */
  readonly host: string;
  /** The first port tried. */
  readonly firstPort: number;
  /** The last port tried. */
  readonly lastPort: number;

  constructor(host: string, firstPort: number, lastPort: number, options?: { cause?: unknown }) {
    super("ERR_NO_FREE_PORT", `no free port on ${host} from ${firstPort} to ${lastPort}`, options);
    this.host = host;
    this.firstPort = firstPort;
    this.lastPort = lastPort;
  }
}

/**
 * The `persist` directory cannot be used; `code` is `"ERR_PERSIST"`, the system error the
 * `cause`. Found before workerd starts.
 *
 * @example
 * ```ts
 * await SocketServer.start({ persist: "/etc/hostname" });
 * // rejects: the persistence directory /etc/hostname is a file, not a directory: ...
 * ```
 */
export class PersistError extends WsComSrvError<"ERR_PERSIST"> {
  override name = "PersistError";
  /** The directory, as an absolute path. */
  readonly path: string;
  /** What is wrong with it, after its path: `"is a file, not a directory"`… */
  readonly problem: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(
      "ERR_PERSIST",
      `the persistence directory ${path} ${problem}: give a directory this process can write (it is created when missing)`,
      options,
    );
    this.path = path;
    this.problem = problem;
  }
}

/** The error for a runtime that did not start; Miniflare's error, with workerd's output, is the `cause`. */
export function runtimeStartError(cause: unknown): WsComSrvError<"ERR_RUNTIME_START"> {
  return new WsComSrvError(
    "ERR_RUNTIME_START",
    `the Workers runtime failed to start: ${errorMessage(cause)}`,
    {
      cause,
    },
  );
}

/**
 * The error for a Miniflare start failure: its `ERR_ADDRESS_IN_USE` (another server took the
 * port after the probe) becomes an {@link AddressInUseError}, anything else an
 * `ERR_RUNTIME_START`.
 */
export function fromStartFailure(host: string, port: number, error: unknown): WsComSrvError {
  return systemCode(error) === "ERR_ADDRESS_IN_USE"
    ? new AddressInUseError(host, port, { cause: error })
    : runtimeStartError(error);
}

/** The system error code (`EACCES`…) of an error, if it has one. */
export function systemCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
