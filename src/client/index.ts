/**
 * The client of WsComSrv Edge for browsers and any runtime with a global `WebSocket`
 * (Node >= 22, Deno, Workers). In Node, the package's `node` export condition gives the same
 * API with the `ws` package as the default WebSocket.
 *
 * What it exports is what an application writes code against: the client, the frame
 * builders, the wire constants, the types, the error base class with its guard and the error
 * classes that carry data of their own. Tuning defaults are documented on the options.
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
  type FrameRef,
  FrameType,
  isWsComSrvError,
  type Json,
  type JsonObject,
  type Level,
  levelMessage,
  type Member,
  type MemberState,
  type OutgoingCommand,
  type OutgoingFrame,
  type ReceiptStatus,
  SERVER,
  simpleMessage,
  type Target,
  WsComSrvError,
} from "wscomsrv-protocol";
export type { CallOptions, CallOutcome } from "./calls.js";
export { type DeliverOptions, type SendResult, WebSocketClient } from "./client.js";
export {
  CallError,
  type ClientError,
  ClientErrorCode,
  type ClientErrorCodeName,
  DroppedFramesError,
  FatalCloseError,
  FrameError,
  type FrameErrorCode,
  HandlerError,
  MissedFramesError,
  type ReadyError,
  RelayError,
  UnconfirmedError,
  UpgradeRefusedError,
} from "./errors.js";
export type {
  ClientEvents,
  ClientHook,
  ClientState,
  ClockEstimate,
  CloseInfo,
  CommandContext,
  CommandFunction,
  IdentifiedInfo,
  MessageContext,
  MessageTypeFunction,
} from "./events.js";
export type { ClientOptions, Logger } from "./options.js";
export { type Receipt, ReceiptTimeoutError } from "./receipts.js";
export type { RefusedResponse, WebSocketConstructor, WebSocketLike } from "./transport.js";
