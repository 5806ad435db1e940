/**
 * The exactly-once fault tests' clients on Node: SDK clients (`ws` sockets) of a room on a
 * local relay, for a {@link Trio}; and a relay's address that may change host or port.
 */

import { WebSocketClient } from "../../src/client/node.js";
import type { MakeClient } from "./trio.js";

/**
 * Makes SDK clients of `room` at `address` (`ws://host:port`); a client whose options name a
 * `host` of their own (a URL through a proxy) connects there instead.
 *
 * @example
 * ```ts
 * const trio = new Trio({ make: nodeClients(server.wsAddress, room) });
 * ```
 */
export function nodeClients(address: string, room: string): MakeClient {
  return (name, options) => new WebSocketClient(name, { host: `${address}/${room}`, ...options });
}
