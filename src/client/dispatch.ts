/**
 * The intrinsic message validator: every received frame is decoded with the wire module's
 * decoder, handed to the message hooks, then to its command or message type function. A
 * `batch` from the relay is taken apart into its frames, each taking that path in order (the
 * relay's `mail` numbering follows that order). The relay's `ack`, `mail`, `receipt` and
 * `presence` frames, and the `members` answers to the roster's own requests, go to the
 * client's parts only, and a peer frame the inbox finds to be a duplicate is dropped
 * before the hooks. Nothing leaves this path as an exception: invalid frames, unknown types and commands, and
 * failing functions all become errors for the error hooks.
 *
 * @module
 */

import {
  type AckData,
  Capability,
  Command,
  type CommandEnvelope,
  DEFAULT_LIMITS,
  decodeAckData,
  decodeErrorData,
  decodeFrame,
  decodeMailData,
  decodeObject,
  decodePresenceData,
  decodeReceiptData,
  decodeRosterPage,
  type Envelope,
  ErrorCode,
  FrameType,
  IdentifyField,
  isCommand,
  type Json,
  type JsonObject,
  type Limits,
  type MailData,
  type PresenceData,
  RELAY_TIME_FIELD,
  type ReceiptData,
  type RosterPage,
  relayBatchFrames,
  SERVER,
} from "wscomsrv-protocol";
import type { Calls } from "./calls.js";
import type { WebSocketClient } from "./client.js";
import { type ClientEmitter, NamedHooks } from "./emitter.js";
import {
  type FrameError,
  HandlerError,
  invalidFrame,
  RelayError,
  unknownCommand,
  unknownType,
} from "./errors.js";
import type {
  CommandContext,
  CommandFunction,
  MessageContext,
  MessageTypeFunction,
} from "./events.js";

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
export function malformed(message: Envelope, why: string): FrameError {
  return invalidFrame({
    code: ErrorCode.badEnvelope,
    message: why,
    ref: { type: message.type, ...(isCommand(message) ? { cmd: message.data.cmd } : {}) },
  });
}

/**
 * A copy of the relay's `identified` answer without its resume secret (`kwargs.resume`), for
 * the hooks: the secret lets whoever holds it take the client's name.
 */
function withoutResume(message: CommandEnvelope): CommandEnvelope {
  const kwargs = Object.fromEntries(
    Object.entries(message.data.kwargs).filter(([key]) => key !== IdentifyField.resume),
  );
  return { ...message, data: { ...message.data, kwargs } };
}

/**
 * The relay's own frames that the client, not the application, takes.
 *
 * @example
 * ```ts
 * const relay: RelayFrames = {
 *   identified: (kwargs) => console.log(kwargs),
 *   ack: ({ id }) => console.log(id),
 *   mail: (data) => inbox.mail(data),
 *   receipt: (data) => receipts.take(data),
 *   admit: (message, fields) => inbox.admit(message, fields),
 *   undecodable: () => inbox.undecodable(),
 *   presence: (data) => roster.presence(data),
 *   members: (page) => roster.page(page),
 *   pong: (kwargs) => clock.pong(kwargs),
 * };
 * ```
 */
export interface RelayFrames {
  /** The relay's `identified` acknowledgement of the identify. */
  identified(kwargs: JsonObject, context: MessageContext): void;
  /** The relay's `ack` of a frame or batch (capability `acks`). */
  ack(data: AckData): void;
  /** The relay's `mail` numbering of the peer frames that follow (capability `delivery`). */
  mail(data: MailData): void;
  /** The relay's `receipt` about a frame the client sent (capability `receipts`). */
  receipt(data: ReceiptData): void;
  /** Whether a peer frame is to be handled: false for a duplicate, dropped before any hook. */
  admit(message: Envelope, fields: JsonObject): boolean;
  /** A received frame could not be decoded (it still spends its mail number). */
  undecodable(): void;
  /** The relay's `presence` frame: a change of the roster (capability `presence`). */
  presence(data: PresenceData): void;
  /**
   * The relay's `members` answer (`undefined` when malformed). @returns false when the
   * client asked for no page: the answer goes the usual way, to the hooks.
   */
  members(page: RosterPage | undefined): boolean;
  /** The relay's `pong` (its kwargs): true when the clock's own, which reaches no hook. */
  pong(kwargs: JsonObject): boolean;
}

/** A received frame's context; a frame from a batch is serialised again only when asked. */
class Received implements MessageContext {
  readonly client: WebSocketClient;
  readonly sender: string | undefined;
  readonly message: Envelope;
  #raw: string | undefined;
  readonly #source: JsonObject | undefined;
  readonly #fields: JsonObject | undefined;

  constructor(
    client: WebSocketClient,
    message: Envelope,
    raw: string | JsonObject,
    fields?: JsonObject,
  ) {
    this.client = client;
    this.sender = message.from;
    this.message = message;
    if (typeof raw === "string") this.#raw = raw;
    else this.#source = raw;
    this.#fields = fields;
  }

  get raw(): string {
    this.#raw ??= JSON.stringify(this.#source);
    return this.#raw;
  }

  get relayTime(): number | undefined {
    // Only a relay that granted `stamps` writes it (and removes any a sender wrote).
    if (!this.client.capabilities.includes(Capability.stamps)) return undefined;
    const time = this.#fields?.[RELAY_TIME_FIELD];
    return typeof time === "number" && Number.isFinite(time) ? time : undefined;
  }
}

/** A received command's context. */
class ReceivedCommand extends Received implements CommandContext {
  readonly command: string;
  readonly args: readonly Json[];

  constructor(
    client: WebSocketClient,
    message: Envelope,
    raw: string | JsonObject,
    command: string,
    args: readonly Json[],
    fields?: JsonObject,
  ) {
    super(client, message, raw, fields);
    this.command = command;
    this.args = args;
  }
}

/**
 * The command and message type tables, and the path every received frame takes.
 *
 * @example
 * ```ts
 * const dispatcher = new Dispatcher(emitter, relayFrames);
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
  readonly #relay: RelayFrames;
  readonly #calls: Calls | undefined;

  /**
   * @param emitter - Runs the hooks and takes the errors.
   * @param relay - Takes the relay's `identified`, `ack`, `mail`, `receipt` and `presence`
   *   frames and `members` answers, and decides which peer frames are duplicates.
   * @param calls - Takes the replies to the client's calls, and answers the calls it gets.
   */
  constructor(emitter: ClientEmitter, relay: RelayFrames, calls?: Calls) {
    const warn = (message: string): void => emitter.warn(message);
    this.commands = new NamedHooks(
      "addCmdFunction",
      warn,
      'addCmdFunction(name, fn): the first argument is the command\'s name (a string, the "cmd" of the frames that run fn), such as addCmdFunction("pass_ball", fn)',
    );
    this.types = new NamedHooks(
      "addMessageType",
      warn,
      'addMessageType(type, fn): the first argument is the frame type (a string, the "type" of the frames that run fn), such as addMessageType("data", fn)',
    );
    this.#emitter = emitter;
    this.#relay = relay;
    this.#calls = calls;
  }

  /** Handles one received frame (`data` as the WebSocket gave it). Never throws. */
  receive(client: WebSocketClient, data: unknown): void {
    try {
      if (typeof data !== "string") {
        this.#emitter.fail(
          invalidFrame({
            code: ErrorCode.binaryFrame,
            message: "binary frames are not part of the protocol",
            ref: {},
          }),
        );
        return;
      }
      const result = decodeFrame(data, RECEIVE_LIMITS);
      if (!result.ok) {
        this.#relay.undecodable();
        this.#emitter.fail(invalidFrame(result.error));
        return;
      }
      const { envelope: message, fields } = result.frame;
      if (message.from === SERVER && message.type === FrameType.batch) {
        this.#receiveBatch(client, message);
      } else {
        this.#receiveOne(client, message, data, fields);
      }
    } catch (error) {
      this.#emitter.fail(new HandlerError("the message validator", error));
    }
  }

  /**
   * The frames of a relay batch, in order, each as if it had come alone. A frame of it whose
   * type is `batch` is a peer's application frame, not taken apart.
   */
  #receiveBatch(client: WebSocketClient, batch: Envelope): void {
    const items = relayBatchFrames(batch);
    if (!Array.isArray(items)) {
      this.#emitter.fail(invalidFrame(items));
      return;
    }
    for (const item of items) {
      const decoded = decodeObject(item, RECEIVE_LIMITS);
      if (decoded.ok) {
        this.#receiveOne(client, decoded.frame.envelope, item, item);
      } else {
        this.#relay.undecodable();
        this.#emitter.fail(invalidFrame(decoded.error));
      }
    }
  }

  /**
   * Takes the relay's `ack`, `mail`, `receipt` and `presence` frames, and the `members`
   * answers the roster asked for; false for any other frame.
   */
  #takeOwn(message: Envelope): boolean {
    switch (message.type) {
      case FrameType.ack: {
        const data = decodeAckData(message.data);
        if (data === undefined)
          this.#emitter.fail(malformed(message, "an ack needs a valid data.id"));
        else this.#relay.ack(data);
        return true;
      }
      case FrameType.mail: {
        const data = decodeMailData(message.data);
        if (data === undefined) {
          this.#emitter.fail(malformed(message, "a mail frame needs data.first and data.count"));
        } else this.#relay.mail(data);
        return true;
      }
      case FrameType.presence: {
        const data = decodePresenceData(message.data);
        if (data === undefined) {
          this.#emitter.fail(
            malformed(message, "a presence frame needs data.event, data.name and data.at"),
          );
        } else this.#relay.presence(data);
        return true;
      }
      case FrameType.receipt: {
        const data = decodeReceiptData(message.data);
        if (data === undefined) {
          this.#emitter.fail(
            malformed(message, "a receipt needs data.sid, data.seq and data.status"),
          );
        } else this.#relay.receipt(data);
        return true;
      }
      case FrameType.command: {
        if (!isCommand(message) || message.data.cmd !== Command.members) return false;
        const page = decodeRosterPage(message.data.kwargs);
        if (!this.#relay.members(page)) return false;
        if (page === undefined) {
          this.#emitter.fail(malformed(message, "a members answer needs kwargs.members, a list"));
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** One frame: `raw` is its text, or its object from a batch; `fields` its decoded object. */
  #receiveOne(
    client: WebSocketClient,
    message: Envelope,
    raw: string | JsonObject,
    fields: JsonObject,
  ): void {
    const fromRelay = message.from === SERVER;
    // Acks, mail numbers, receipts and presence are the client's own business, like a heartbeat: they
    // reach no hook. A duplicate peer frame (a reply too) reaches none either.
    if (fromRelay && this.#takeOwn(message)) return;
    if (!fromRelay && !this.#relay.admit(message, fields)) return;
    // So is the reply to one of its calls.
    if (this.#calls?.reply(message, fields) === true) return;
    if (isCommand(message)) {
      const { cmd, args, kwargs } = message.data;
      if (fromRelay && cmd === Command.identified) {
        // The resume secret is a credential: the hooks get the answer without it.
        const shown = withoutResume(message);
        const context = new ReceivedCommand(
          client,
          shown,
          { ...fields, data: shown.data },
          cmd,
          args,
        );
        this.#emitter.emit("message", shown, context);
        this.#relay.identified(kwargs, context);
        return;
      }
      // The clock's own samples of the relay's time.
      if (fromRelay && cmd === Command.pong && this.#relay.pong(kwargs)) return;
      const context = new ReceivedCommand(client, message, raw, cmd, args, fields);
      this.#emitter.emit("message", message, context);
      // A wrong password: the relay's BAD_PASSWORD report (a RelayError) says so, and the
      // handshake that follows is answered again, until the relay closes with 4001.
      if (fromRelay && cmd === Command.passwordReset) return;
      const fn = this.commands.get(cmd);
      // A call: the same function, and what it returns or throws goes back to the caller.
      const call = this.#calls?.callOf(message, fields);
      if (call !== undefined && message.from !== undefined) {
        this.#calls?.answer(call, message.from, fn, kwargs, context);
        return;
      }
      if (fn === undefined) {
        this.#emitter.fail(unknownCommand(cmd, message.from));
        return;
      }
      this.#emitter.call(`command "${cmd}"`, fn, [kwargs, context]);
      return;
    }
    const context = new Received(client, message, raw, fields);
    this.#emitter.emit("message", message, context);
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
      this.#emitter.fail(unknownType(message.type, message.from));
      return;
    }
    this.#emitter.call(`message type "${message.type}"`, fn, [message.data, context]);
  }
}
