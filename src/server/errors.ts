/**
 * The errors the local server rejects with: one class per failure, each with a stable `code`
 * and the original error kept in `cause`.
 *
 * @module
 */

/**
 * The stable `code` of every {@link SocketServerError}.
 *
 * @example
 * ```ts
 * if (isSocketServerError(error) && error.code === ServerErrorCode.noFreePort) retryLater();
 * ```
 */
export const ServerErrorCode = {
  /** The address and port are taken by another server (the seed's `OSError`). */
  addressInUse: "EADDRINUSE",
  /** The address cannot be listened on for another reason (unknown host, no permission…). */
  listenFailed: "ERR_LISTEN",
  /** The Worker bundle is missing: `npm run build` has not run. */
  bundleMissing: "ERR_BUNDLE_MISSING",
  /** The Workers runtime (workerd) failed to start. */
  runtimeFailed: "ERR_RUNTIME_START",
  /** `connectToFirstFreePort` found every port it tried taken. */
  noFreePort: "ERR_NO_FREE_PORT",
} as const;

/** One of {@link ServerErrorCode}, e.g. `"EADDRINUSE"`. */
export type ServerErrorCodeName = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

const NAMES: ReadonlySet<string> = new Set([
  "SocketServerError",
  "AddressInUseError",
  "ListenError",
  "BundleMissingError",
  "RuntimeStartError",
  "NoFreePortError",
]);
const CODES: ReadonlySet<string> = new Set(Object.values(ServerErrorCode));

/**
 * The base class of the local server's errors.
 *
 * @example
 * ```ts
 * try {
 *   await SocketServer.start({ port: 8888 });
 * } catch (error) {
 *   if (isSocketServerError(error)) console.error(error.code, error.message);
 *   else throw error;
 * }
 * ```
 */
export class SocketServerError extends Error {
  override name = "SocketServerError";
  /** The stable code, one of {@link ServerErrorCode}. */
  readonly code: ServerErrorCodeName;

  constructor(code: ServerErrorCodeName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * The port is taken on that address; `code` is `"EADDRINUSE"`, like Node's own error.
 *
 * @example
 * ```ts
 * try {
 *   await SocketServer.start({ port: 8888 });
 * } catch (error) {
 *   if (isAddressInUseError(error)) console.error(`port ${error.port} is taken`);
 * }
 * ```
 */
export class AddressInUseError extends SocketServerError {
  override name = "AddressInUseError";
  override readonly code = ServerErrorCode.addressInUse;
  /** The address asked for. */
  readonly host: string;
  /** The port asked for. */
  readonly port: number;

  constructor(host: string, port: number, options?: { cause?: unknown }) {
    super(
      ServerErrorCode.addressInUse,
      `address in use: ${host}:${port} is taken by another server`,
      options,
    );
    this.host = host;
    this.port = port;
  }
}

/**
 * The address cannot be listened on for a reason other than a taken port; the system error
 * (`EACCES`, `EADDRNOTAVAIL`, `ENOTFOUND`…) is the `cause`.
 *
 * @example
 * ```ts
 * await SocketServer.start({ host: "192.0.2.1" }); // rejects: ERR_LISTEN (EADDRNOTAVAIL)
 * ```
 */
export class ListenError extends SocketServerError {
  override name = "ListenError";
  override readonly code = ServerErrorCode.listenFailed;
  /** The address asked for. */
  readonly host: string;
  /** The port asked for. */
  readonly port: number;

  constructor(host: string, port: number, options?: { cause?: unknown }) {
    const reason = systemCode(options?.cause) ?? errorMessage(options?.cause);
    super(ServerErrorCode.listenFailed, `cannot listen on ${host}:${port}: ${reason}`, options);
    this.host = host;
    this.port = port;
  }
}

/**
 * The Worker bundle the server runs is not there.
 *
 * @example
 * ```ts
 * await SocketServer.start(); // rejects: ERR_BUNDLE_MISSING before `npm run build`
 * ```
 */
export class BundleMissingError extends SocketServerError {
  override name = "BundleMissingError";
  override readonly code = ServerErrorCode.bundleMissing;
  /** Where the bundle was looked for. */
  readonly paths: readonly string[];

  constructor(paths: readonly string[]) {
    super(
      ServerErrorCode.bundleMissing,
      `the Worker bundle is missing (looked at ${paths.join(", ")}): run \`npm run build\` first`,
    );
    this.paths = paths;
  }
}

/**
 * The Workers runtime (workerd) did not start; Miniflare's error, with workerd's output, is
 * the `cause`.
 *
 * @example
 * ```ts
 * await SocketServer.start({ scriptPath: "broken.js" }); // rejects: ERR_RUNTIME_START
 * ```
 */
export class RuntimeStartError extends SocketServerError {
  override name = "RuntimeStartError";
  override readonly code = ServerErrorCode.runtimeFailed;

  constructor(options: { cause: unknown }) {
    super(
      ServerErrorCode.runtimeFailed,
      `the Workers runtime failed to start: ${errorMessage(options.cause)}`,
      options,
    );
  }
}

/**
 * Every port `connectToFirstFreePort` tried was taken; the last {@link AddressInUseError} is
 * the `cause`.
 *
 * @example
 * ```ts
 * await connectToFirstFreePort(8888, { attempts: 1 }); // rejects when 8888 is taken
 * ```
 */
export class NoFreePortError extends SocketServerError {
  override name = "NoFreePortError";
  override readonly code = ServerErrorCode.noFreePort;
  /** The address asked for. */
  readonly host: string;
  /** The first port tried. */
  readonly firstPort: number;
  /** The last port tried. */
  readonly lastPort: number;

  constructor(host: string, firstPort: number, lastPort: number, options?: { cause?: unknown }) {
    super(
      ServerErrorCode.noFreePort,
      `no free port on ${host} from ${firstPort} to ${lastPort}`,
      options,
    );
    this.host = host;
    this.firstPort = firstPort;
    this.lastPort = lastPort;
  }
}

/**
 * True for any of the local server's errors, also one from another copy of this module or
 * another realm (it checks `name` and `code`, not the prototype).
 *
 * @example
 * ```ts
 * server = await SocketServer.start().catch((error) => {
 *   if (isSocketServerError(error)) process.exit(1);
 *   throw error;
 * });
 * ```
 */
export function isSocketServerError(value: unknown): value is SocketServerError {
  if (typeof value !== "object" || value === null) return false;
  const { name, code } = value as { name?: unknown; code?: unknown };
  return (
    typeof name === "string" &&
    NAMES.has(name) &&
    typeof code === "string" &&
    CODES.has(code) &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/**
 * True for an {@link AddressInUseError}, across realms.
 *
 * @example
 * ```ts
 * if (isAddressInUseError(error)) console.error(`port ${error.port} is taken`);
 * ```
 */
export function isAddressInUseError(value: unknown): value is AddressInUseError {
  return isSocketServerError(value) && value.name === "AddressInUseError";
}

/**
 * The error for a Miniflare start failure: its `ERR_ADDRESS_IN_USE` (another server took the
 * port after the probe) becomes an {@link AddressInUseError}, anything else a
 * {@link RuntimeStartError}.
 */
export function fromStartFailure(host: string, port: number, error: unknown): SocketServerError {
  return systemCode(error) === "ERR_ADDRESS_IN_USE"
    ? new AddressInUseError(host, port, { cause: error })
    : new RuntimeStartError({ cause: error });
}

/** The system error code (`EACCES`…) of an error, if it has one. */
export function systemCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
