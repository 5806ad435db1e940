/**
 * What the client tells its hooks and its registered functions: the event map and the
 * contexts a command or message type function receives.
 *
 * @module
 */

import type { CapabilityName, Envelope, Json, JsonObject, Member } from "wscomsrv-protocol";
import type { WebSocketClient } from "./client.js";
import type { ClientError, RelayError, UnconfirmedError } from "./errors.js";

/**
 * Where the client stands.
 * - `idle`: never connected (no host, or `autoConnect: false`);
 * - `connecting`: a socket is opening;
 * - `open`: the socket is open and the identify handshake is running;
 * - `identified`: the relay accepted the identify; frames are sent at once;
 * - `reconnecting`: the socket closed and a reconnect is scheduled;
 * - `closed`: closed for good, by `close()`, by a fatal close code or refused upgrade, or with
 *   `reconnect` off; frames written now are dropped (`CLIENT_CLOSED`) until `connectToSocket`.
 *
 * @example
 * ```ts
 * if (wsc.state === "identified") wsc.writeToSocket(frame); // else it would be queued
 * ```
 */
export type ClientState = "idle" | "connecting" | "open" | "identified" | "reconnecting" | "closed";

/**
 * What a close hook learns. Seed-style hooks may ignore it.
 *
 * @example
 * ```ts
 * wsc.addOnClose("log", ({ code, reconnecting, delay }) => {
 *   console.log(`closed (${code})`, reconnecting ? `retry in ${delay} ms` : "for good");
 * });
 * ```
 */
export interface CloseInfo {
  /** The close code (1006 when the connection was lost without a close frame). */
  code: number;
  /** The close reason, often empty. */
  reason: string;
  /** True when a reconnect is scheduled. */
  reconnecting: boolean;
  /** When `reconnecting`: milliseconds until the attempt. */
  delay?: number;
}

/**
 * What an identified hook learns: the relay's `identified` answer.
 *
 * @example
 * ```ts
 * wsc.addOnIdentified("ready", ({ name, capabilities, time }) => console.log(name, capabilities, time));
 * ```
 */
export interface IdentifiedInfo {
  /** The name the client now holds. */
  name: string;
  /** The capabilities the relay granted (empty when the client asked for none). */
  capabilities: CapabilityName[];
  /** The room's epoch in seconds since 1970 (`client.time`), when known. */
  time: number | undefined;
}

/**
 * What a message hook and a message type function learn about a frame.
 *
 * @example
 * ```ts
 * wsc.addMessageType("data", (data, { sender, raw }) => console.log(sender, data, raw.length));
 * ```
 */
export interface MessageContext {
  /** The client that received it (to answer with `context.client.writeToSocket(...)`). */
  readonly client: WebSocketClient;
  /** The sender's name as the relay set it (`"server"` for the relay's own frames). */
  readonly sender: string | undefined;
  /** The decoded envelope (`target` as a list). */
  readonly message: Envelope;
  /** The frame as received, unparsed. */
  readonly raw: string;
}

/**
 * What a command function learns besides its kwargs.
 *
 * @example
 * ```ts
 * wsc.addCmdFunction("move", (kwargs, { sender, args, command }) => console.log(sender, command, args));
 * ```
 */
export interface CommandContext extends MessageContext {
  /** The command's name. */
  readonly command: string;
  /** The positional arguments (`data.args`), usually empty. */
  readonly args: readonly Json[];
}

/**
 * A command function: the command's keyword arguments first, then the context. Keys the
 * function does not read are simply ignored, and a missing key reads as `undefined`, so the
 * seed's `pass_ball(catch=None)` is `({ catch: caught }) => ...`. May return a promise; a
 * throw or a rejection goes to the error hooks.
 *
 * @example
 * ```ts
 * const passBall: CommandFunction = ({ catch: caught }, { sender }) => {
 *   if (caught === undefined) return; // the seed's catch=None
 *   console.log(sender, caught ? "caught it" : "Damn!");
 * };
 * wsc.addCmdFunction("pass_ball", passBall);
 * ```
 */
export type CommandFunction = (kwargs: Readonly<JsonObject>, context: CommandContext) => unknown;

/**
 * A message type function: the frame's `data` (undefined when absent), then the context.
 *
 * @example
 * ```ts
 * const plot: MessageTypeFunction = (data) => console.log("point", data);
 * wsc.addMessageType("data", plot);
 * ```
 */
export type MessageTypeFunction = (data: Json | undefined, context: MessageContext) => unknown;

/**
 * The client's events and the arguments their hooks receive. Hooks may take fewer
 * arguments: the seed's `on_open`, `on_close` and `on_error` functions took none.
 *
 * @example
 * ```ts
 * const off = wsc.on("close", (info) => console.log(info.code));
 * ```
 */
export interface ClientEvents {
  /** The socket opened (before the identify handshake). */
  open: [];
  /** The socket closed; see {@link CloseInfo}. */
  close: [info: CloseInfo];
  /** Anything that went wrong; see {@link ClientError} and its `code`. */
  error: [error: ClientError];
  /** Every valid frame received, before it is dispatched to a command or message type. */
  message: [message: Envelope, context: MessageContext];
  /** The relay accepted the identify (after every connect and reconnect). */
  identified: [info: IdentifiedInfo];
  /** An error report from the relay; it goes to the error hooks as well. */
  relayError: [error: RelayError];
  /**
   * Frames handed to a socket that the relay never confirmed (capability `acks`); the same
   * error goes to the error hooks as well.
   */
  unconfirmed: [error: UnconfirmedError];
  /**
   * A member's stay began (capability `presence`), or a member came into this client's view
   * (the first roster, or a reconnect's): the member, and when (ms since 1970, the relay's
   * clock: the stay's start for a member found in a roster). Never for the client itself.
   */
  join: [member: Member, at: number];
  /** A member's stay ended; the member as it was last, and when. Never for the client itself. */
  leave: [member: Member, at: number];
  /** A member's connection went without a goodbye; it may come back within the room's mail window. */
  away: [member: Member, at: number];
  /** An away member came back within the window: the same stay. */
  back: [member: Member, at: number];
  /** A member's name moved to a new connection in one step (a takeover): the same stay. */
  moved: [member: Member, at: number];
}

/**
 * A hook for event `K`.
 *
 * @example
 * ```ts
 * const hook: ClientHook<"error"> = (error) => console.warn(error.code);
 * wsc.addOnError("log", hook);
 * ```
 */
export type ClientHook<K extends keyof ClientEvents> = (...args: ClientEvents[K]) => unknown;
