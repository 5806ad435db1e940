/**
 * The Node API of the root package: the relay on one machine ({@link SocketServer},
 * {@link connectToFirstFreePort}), its errors, and the signed tokens its `"token"` rooms ask
 * for ({@link mintToken}, {@link verifyToken}).
 *
 * @module
 */

export { isWsComSrvError, WsComSrvError } from "wscomsrv-protocol";
export {
  MAX_TOKEN_LIFETIME_SECONDS,
  MIN_SECRET_BYTES,
  mintToken,
  type TokenCheck,
  type TokenClaims,
  type TokenKey,
  verifyToken,
} from "../auth/token.js";
export type { RoomLimits, RoomPolicy } from "../config/index.js";
export {
  AddressInUseError,
  BundleMissingError,
  ListenError,
  NoFreePortError,
  PersistError,
  type ServerErrorCode,
} from "./errors.js";
export { connectToFirstFreePort, type FirstFreePortOptions } from "./free-port.js";
export { DEFAULT_HOST, DEFAULT_PORT, type SocketServerOptions } from "./options.js";
export type { ClientEvent, ConsoleEntry } from "./runtime-log.js";
export { SocketServer, type SocketServerEvents } from "./socket-server.js";
