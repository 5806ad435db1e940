/**
 * A quick check that an address and port can be listened on, before workerd is started: a
 * taken port is then reported in about a millisecond, without a process to clean up.
 *
 * @module
 */

import { createServer } from "node:net";
import { AddressInUseError, ListenError, systemCode } from "./errors.js";

/**
 * Binds a plain TCP server to `host:port` and closes it again.
 *
 * The check leaves a short gap before workerd binds; the caller still maps workerd's own
 * address-in-use failure. With port `0` it checks the host alone.
 *
 * @throws AddressInUseError (rejects) when the port is taken, ListenError for any other
 *   failure to listen.
 */
export function probePort(host: string, port: number): Promise<void> {
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
