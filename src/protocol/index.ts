/**
 * The wire protocol of WsComSrv Edge, shared by the relay and the client.
 *
 * @module
 */

export * from "./builders.js";
export * from "./calls.js";
export * from "./client-frames.js";
export * from "./decode.js";
export * from "./delivery.js";
export * from "./envelope.js";
export * from "./error-codes.js";
export * from "./errors.js";
export * from "./limits.js";
export * from "./names.js";
export * from "./presence.js";
export * from "./relay-frames.js";
