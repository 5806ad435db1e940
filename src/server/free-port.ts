/**
 * The seed's loop that tries port after port until a server starts, done right: only a taken
 * port moves on to the next one, and the number of tries is bounded.
 *
 * @module
 */

import { isWsComSrvError } from "wscomsrv-protocol";
import { NoFreePortError } from "./errors.js";
import { checkPort, DEFAULT_HOST, DEFAULT_PORT, type SocketServerOptions } from "./options.js";
import { SocketServer } from "./socket-server.js";

/**
 * Options of {@link connectToFirstFreePort}: the server's options, without `port`.
 *
 * @example
 * ```ts
 * await connectToFirstFreePort(8888, { attempts: 10, password: "pw" });
 * ```
 */
export interface FirstFreePortOptions extends Omit<SocketServerOptions, "port"> {
  /** How many successive ports to try, at least 1. Default `100`. */
  attempts?: number;
}

/** The default of {@link FirstFreePortOptions.attempts}. */
const DEFAULT_ATTEMPTS = 100;

/**
 * Starts a relay on `startPort`, or on the next port when that one is taken, and so on, and
 * returns the started server. Each taken port costs about a millisecond (no process is
 * started for it).
 *
 * @param startPort - The first port to try, 1 to 65535. Default `8888`, as the seed.
 * @param options - The server's options, and `attempts` (default `100`).
 * @throws TypeError or RangeError at once for a bad argument.
 * @returns A promise of the started server. It rejects with a `NoFreePortError`
 *   (`"ERR_NO_FREE_PORT"`) when every port tried was taken, and with the first other error
 *   as it came (a `ListenError` for a bad host, for example), without trying further ports.
 *
 * @example
 * ```ts
 * const server = await connectToFirstFreePort(); // 8888, or 8889 if 8888 is taken, ...
 * console.log(server.wsAddress);
 * ```
 */
export function connectToFirstFreePort(
  startPort: number = DEFAULT_PORT,
  options: FirstFreePortOptions = {},
): Promise<SocketServer> {
  checkPort("startPort", startPort, 1);
  const { attempts = DEFAULT_ATTEMPTS, ...serverOptions } = options;
  if (typeof attempts !== "number" || !Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`options.attempts must be a positive integer, got ${String(attempts)}`);
  }
  if ("port" in serverOptions) {
    throw new TypeError("options.port is not an option here: pass the first port as startPort");
  }
  const lastPort = Math.min(startPort + attempts - 1, 65_535);
  // Checks the other options at once, with the first port.
  const first = SocketServer.start({ ...serverOptions, port: startPort });
  return tryPorts(first, startPort, lastPort, serverOptions);
}

async function tryPorts(
  first: Promise<SocketServer>,
  startPort: number,
  lastPort: number,
  options: SocketServerOptions,
): Promise<SocketServer> {
  let attempt = first;
  for (let port = startPort; ; port += 1) {
    try {
      return await attempt;
    } catch (error) {
      if (!isWsComSrvError(error, "EADDRINUSE")) throw error;
      if (port >= lastPort) {
        throw new NoFreePortError(options.host ?? DEFAULT_HOST, startPort, lastPort, {
          cause: error,
        });
      }
    }
    attempt = SocketServer.start({ ...options, port: port + 1 });
  }
}
