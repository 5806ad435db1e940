/**
 * The Node API of the root package: the relay on one machine, and the signed tokens its
 * `"token"` rooms ask for ({@link mintToken}, {@link verifyToken}).
 *
 * @module
 */

export {
  MAX_TOKEN_LIFETIME_SECONDS,
  MIN_SECRET_BYTES,
  mintToken,
  type TokenCheck,
  type TokenClaims,
  type TokenKey,
  verifyToken,
} from "../auth/token.js";
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
