/**
 * The Node API of the root package: the relay on one machine.
 *
 * @module
 */

export { SocketServer, type SocketServerOptions } from "./socket-server.js";
