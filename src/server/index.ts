/**
 * The Node API of the root package: the relay on one machine.
 *
 * @module
 */

export {
  AddressInUseError,
  BundleMissingError,
  isAddressInUseError,
  isSocketServerError,
  ListenError,
  NoFreePortError,
  RuntimeStartError,
  ServerErrorCode,
  type ServerErrorCodeName,
  SocketServerError,
} from "./errors.js";
export { connectToFirstFreePort, type FirstFreePortOptions } from "./free-port.js";
export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  type RoomLimits,
  type RoomPolicy,
  type SocketServerOptions,
} from "./options.js";
export type { ClientEvent, ConsoleEntry } from "./runtime-log.js";
export { SocketServer, type SocketServerEvents } from "./socket-server.js";
