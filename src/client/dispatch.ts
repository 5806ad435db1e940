/**
 * The intrinsic message validator: every received frame is decoded with the wire module's
 * decoder, handed to the message hooks, then to its command or message type function.
 * Nothing leaves this path as an exception: invalid frames, unknown types and commands, and
 * failing functions all become errors for the error hooks.
 *
 * @module
 */

import {
  Command,
  DEFAULT_LIMITS,
  decodeFrame,
  type Envelope,
  ErrorCode,
  FrameType,
  isCommand,
  type JsonObject,
  type Limits,
  SERVER,
} from "../protocol/index.js";
import type { WebSocketClient } from "./client.js";
import type { ClientEmitter } from "./emitter.js";
import {
  HandlerError,
  InvalidFrameError,
  RelayError,
  UnknownCommandError,
  UnknownTypeError,
} from "./errors.js";
import type {
  CommandContext,
  CommandFunction,
  MessageContext,
  MessageTypeFunction,
} from "./events.js";
import { NamedHooks } from "./hooks.js";
import { decodeErrorData } from "./relay-frames.js";

// The relay enforces its own limits on what it forwards; the client only checks the shape.
const RECEIVE_LIMITS: Pick<Limits, "maxFrameBytes" | "maxDepth" | "maxTargets"> = {
  ...DEFAULT_LIMITS,
  maxFrameBytes: Number.POSITIVE_INFINITY,
};

/**
 * An `INVALID_FRAME` error for a frame that decoded but whose payload is malformed.
 *
 * @example
 * ```ts
 * emitter.fail(malformed(message, "set_time needs a numeric time"));
 * ```
 */
export function malformed(message: Envelope, why: string): InvalidFrameError {
  return new InvalidFrameError({
    code: ErrorCode.badEnvelope,
    message: why,
    ref: { type: message.type, ...(isCommand(message) ? { cmd: message.data.cmd } : {}) },
  });
}

/**
 * The command and message type tables, and the path every received frame takes.
 *
 * @example
 * ```ts
 * const dispatcher = new Dispatcher(emitter, (kwargs) => console.log("identified", kwargs));
 * dispatcher.commands.add("pass_ball", ({ catch: caught }) => console.log(caught));
 * dispatcher.receive(client, text);
 * ```
 */
export class Dispatcher {
  /** Command functions by command name (`addCmdFunction`). */
  readonly commands: NamedHooks<Parameters<CommandFunction>>;
  /** Message type functions by frame type (`addMessageType`). */
  readonly types: NamedHooks<Parameters<MessageTypeFunction>>;
  readonly #emitter: ClientEmitter;
  readonly #onIdentified: (kwargs: JsonObject, context: MessageContext) => void;

  /**
   * @param emitter - Runs the hooks and takes the errors.
   * @param onIdentified - Takes the relay's `identified` acknowledgement.
   */
  constructor(
    emitter: ClientEmitter,
    onIdentified: (kwargs: JsonObject, context: MessageContext) => void,
  ) {
    const warn = (message: string): void => emitter.warn(message);
    this.commands = new NamedHooks("addCmdFunction", warn);
    this.types = new NamedHooks("addMessageType", warn);
    this.#emitter = emitter;
    this.#onIdentified = onIdentified;
  }

  /** Handles one received frame (`data` as the WebSocket gave it). Never throws. */
  receive(client: WebSocketClient, data: unknown): void {
    try {
      if (typeof data !== "string") {
        this.#emitter.fail(
          new InvalidFrameError({
            code: ErrorCode.binaryFrame,
            message: "binary frames are not part of the protocol",
            ref: {},
          }),
        );
        return;
      }
      const result = decodeFrame(data, RECEIVE_LIMITS);
      if (!result.ok) {
        this.#emitter.fail(new InvalidFrameError(result.error));
        return;
      }
      const message = result.frame.envelope;
      const context: MessageContext = { client, sender: message.from, message, raw: data };
      this.#emitter.emit("message", message, context);
      this.#dispatch(message, context);
    } catch (error) {
      this.#emitter.fail(new HandlerError("the message validator", error));
    }
  }

  #dispatch(message: Envelope, context: MessageContext): void {
    const fromRelay = message.from === SERVER;
    if (isCommand(message)) {
      const { cmd, args, kwargs } = message.data;
      if (fromRelay && cmd === Command.identified) {
        this.#onIdentified(kwargs, context);
        return;
      }
      // A wrong password: the relay's BAD_PASSWORD report (a RelayError) says so, and the
      // handshake that follows is answered again, until the relay closes with 4001.
      if (fromRelay && cmd === Command.passwordReset) return;
      const fn = this.commands.get(cmd);
      if (fn === undefined) {
        this.#emitter.fail(new UnknownCommandError(cmd, message.from));
        return;
      }
      const commandContext: CommandContext = { ...context, command: cmd, args };
      this.#emitter.call(`command "${cmd}"`, fn, [kwargs, commandContext]);
      return;
    }
    if (fromRelay && message.type === FrameType.error) {
      const data = decodeErrorData(message.data);
      this.#emitter.fail(
        data === undefined
          ? malformed(message, "an error report needs data.code and data.message")
          : new RelayError(data),
      );
      return;
    }
    const fn = this.types.get(message.type);
    if (fn === undefined) {
      this.#emitter.fail(new UnknownTypeError(message.type, message.from));
      return;
    }
    this.#emitter.call(`message type "${message.type}"`, fn, [message.data, context]);
  }
}
