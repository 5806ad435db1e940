/**
 * The client of WsComSrv Edge for browsers and any runtime with a global `WebSocket`
 * (Node >= 22, Deno, Workers). In Node, the package's `node` export condition gives the same
 * API with the `ws` package as the default WebSocket.
 *
 * @example
 * ```ts
 * import { WebSocketClient, commandMessage } from "wscomsrv-client";
 *
 * const wsc = new WebSocketClient("Player1", { host: "wss://relay.example.com/game" });
 * wsc.addCmdFunction("pass_ball", ({ catch: caught }) => console.log("caught:", caught));
 * wsc.writeToSocket(commandMessage("pass_ball", "Player1", "Player2", { catch: true }));
 * ```
 *
 * @module
 */

export {
  Capability,
  type CapabilityName,
  CloseCode,
  Command,
  commandMessage,
  dataPointMessage,
  type Envelope,
  ErrorCode,
  EVERYONE,
  FATAL_CLOSE_CODES,
  type FrameRef,
  FrameType,
  type Json,
  type JsonObject,
  type Level,
  levelMessage,
  type OutgoingCommand,
  type OutgoingFrame,
  SERVER,
  simpleMessage,
  type Target,
} from "wscomsrv-protocol";
export {
  type BackoffOptions,
  backoffCeiling,
  backoffDelay,
  DEFAULT_BACKOFF,
} from "./backoff.js";
export { type BatchLimits, DEFAULT_BATCH_LIMITS } from "./batcher.js";
export { type SendResult, WebSocketClient } from "./client.js";
export { ClientHooks } from "./client-hooks.js";
export {
  ClientClosedError,
  ClientError,
  ClientErrorCode,
  type ClientErrorCodeName,
  ConnectionError,
  FatalCloseError,
  HandlerError,
  InvalidFrameError,
  isClientError,
  NotFromRelayError,
  QueueOverflowError,
  RelayError,
  UnconfirmedError,
  UnknownCommandError,
  UnknownTypeError,
  UpgradeRefusedError,
} from "./errors.js";
export type {
  ClientEvents,
  ClientHook,
  ClientState,
  CloseInfo,
  CommandContext,
  CommandFunction,
  IdentifiedInfo,
  MessageContext,
  MessageTypeFunction,
} from "./events.js";
export {
  type ClientOptions,
  DEFAULT_CAPABILITIES,
  DEFAULT_HEARTBEAT_INTERVAL,
  type Logger,
} from "./options.js";
export { DEFAULT_QUEUE_LIMITS, type QueueLimits } from "./queue.js";
export {
  FATAL_HTTP_STATUSES,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./transport.js";
export {
  DEFAULT_UNCONFIRMED_LIMITS,
  type Unconfirmed,
  type UnconfirmedLimits,
} from "./unconfirmed.js";
