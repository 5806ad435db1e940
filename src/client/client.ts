/**
 * The seed's `WebSocketClient`, in TypeScript: named hooks, command functions, message types,
 * the identify handshake, reconnect with backoff, and a bounded send queue. The send path of
 * an identified connection (ids, acks, batches) is the {@link Sender}'s.
 *
 * @module
 */

import {
  Capability,
  type CapabilityName,
  CloseCode,
  Command,
  checkName,
  commandMessage,
  decodeIdentified,
  decodeSetTime,
  FATAL_CLOSE_CODES,
  FrameType,
  HEARTBEAT_REQUEST,
  HEARTBEAT_RESPONSE,
  IdentifyField,
  type JsonObject,
  SERVER,
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
} from "wscomsrv-protocol";
import { backoffDelay } from "./backoff.js";
import { ClientHooks } from "./client-hooks.js";
import { Dispatcher, malformed } from "./dispatch.js";
import { ClientEmitter } from "./emitter.js";
import {
  ClientClosedError,
  ConnectionError,
  FatalCloseError,
  NotFromRelayError,
  QueueOverflowError,
  UpgradeRefusedError,
} from "./errors.js";
import type {
  ClientState,
  CommandContext,
  CommandFunction,
  IdentifiedInfo,
  MessageContext,
  MessageTypeFunction,
} from "./events.js";
import { Heartbeat } from "./heartbeat.js";
import { type ClientOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import { serialize } from "./outgoing.js";
import { FrameQueue } from "./queue.js";
import { Sender } from "./sender.js";
import { Connection, FATAL_HTTP_STATUSES, globalWebSocket } from "./transport.js";

/**
 * What became of a frame given to {@link WebSocketClient.writeToSocket}: `"sent"`, handed to
 * the socket (with batching: to this tick's batch, handed to the socket at the end of the
 * tick); `"queued"`; `"dropped"`.
 *
 * @example
 * ```ts
 * if (wsc.writeToSocket(frame) === "dropped") console.warn("not sent");
 * ```
 */
export type SendResult = "sent" | "queued" | "dropped";

/**
 * A named client of the relay.
 *
 * @example
 * ```ts
 * const wsc = new WebSocketClient("Player1", { host: "ws://127.0.0.1:8888" });
 * wsc.addCmdFunction("pass_ball", ({ catch: caught }, { sender }) => {
 *   console.log(`ball from ${sender}`, caught);
 * });
 * wsc.writeToSocket(commandMessage("pass_ball", "Player1", "Player2", { catch: true }));
 * ```
 */
export class WebSocketClient extends ClientHooks {
  /** The name the client identifies as. */
  readonly name: string;
  /** The room password sent with every identify; may be changed between connects. */
  password: string | undefined;
  /** The token offered with every connect (see `ClientOptions.token`); may be changed. */
  token: string | undefined;
  /** The room's epoch in seconds since 1970, from the relay's `set_time`. `undefined` until then. */
  time: number | undefined = undefined;

  readonly #options: ResolvedOptions;
  readonly #queue: FrameQueue;
  readonly #emitter: ClientEmitter;
  readonly #dispatcher: Dispatcher;
  readonly #sender: Sender;
  readonly #heartbeat: Heartbeat;
  #host: string | undefined;
  #connection: Connection | undefined;
  #state: ClientState = "idle";
  #reconnect: boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #identifiedTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #closed = false;
  /** Why the state is `"closed"`, for the errors of the frames dropped meanwhile. */
  #closedBecause = "close() was called";
  #granted: CapabilityName[] = [];
  #resume: string | undefined;
  /** Identifies sent on this connection that asked for an `identified` answer not come yet. */
  #unanswered = 0;

  /**
   * Creates a client. With a `host` and `autoConnect` (the default), it connects at once;
   * otherwise call {@link connectToSocket}. Registers the default commands `indentify`
   * (answers the relay with the name, the password, the capabilities and the resume secret,
   * also when asked again while identified) and `set_time` (stores the time in {@link time}).
   *
   * @param name - The name to identify as; checked with the wire module's name rules.
   * @param options - See {@link ClientOptions}; every option has a default.
   * @throws TypeError for an invalid name or option, or when no WebSocket class is available.
   * @throws RangeError for an out-of-range number option.
   * @example
   * ```ts
   * const wsc = new WebSocketClient("Sensor", { host: "ws://127.0.0.1:8888/lab", password: "s3cret" });
   * const later = new WebSocketClient("Plotter", { autoConnect: false });
   * later.connectToSocket("ws://127.0.0.1:8888/lab");
   * ```
   */
  constructor(name: string, options: ClientOptions = {}) {
    const problem = checkName(name);
    if (problem !== undefined) {
      throw new TypeError(`invalid client name ${JSON.stringify(name)}: ${problem}`);
    }
    const resolved = resolveOptions(options);
    const emitter = new ClientEmitter(name, resolved.logger);
    super(emitter);
    this.name = name;
    this.#options = resolved;
    this.password = this.#options.password;
    this.token = this.#options.token;
    this.#reconnect = this.#options.reconnect;
    this.#resume = this.#options.resume;
    this.#host = this.#options.host;
    this.#queue = new FrameQueue(this.#options.queue);
    this.#emitter = emitter;
    this.#sender = new Sender(this.#options, (error) => this.#emitter.fail(error));
    this.#heartbeat = new Heartbeat(this.#options.heartbeatInterval);
    this.#dispatcher = new Dispatcher(this.#emitter, {
      identified: (kwargs, context) => this.#onIdentified(kwargs, context),
      ack: ({ id }) => this.#sender.confirm(id),
    });
    this.#dispatcher.commands.add(Command.identify, (_kwargs, context) =>
      this.#answerIdentify(context),
    );
    this.#dispatcher.commands.add(Command.setTime, (kwargs, context) =>
      this.#storeTime(kwargs, context),
    );
    if (this.#host !== undefined && this.#options.autoConnect) this.connectToSocket(this.#host);
  }

  /** Where the client stands; see {@link ClientState}. */
  get state(): ClientState {
    return this.#state;
  }

  /** The relay address in use (the `host` option or the last `connectToSocket` URL). */
  get url(): string | undefined {
    return this.#host;
  }

  /** The capabilities the relay granted at the last identify (empty until identified). */
  get capabilities(): readonly CapabilityName[] {
    return this.#granted;
  }

  /**
   * The resume secret the client presents at its next identify: the one the relay handed out
   * at the last identify (capability `resume`), or the `resume` option until then; `undefined`
   * when there is none. It proves to the relay that a newcomer under this name is this client,
   * so it is read here and nowhere else (no hook is given it). To come back at once after a
   * restart, keep it like a password and pass it as the `resume` option next time; the
   * identified hooks run whenever it may have changed.
   *
   * @example
   * ```ts
   * const wsc = new WebSocketClient("Sensor", { host, resume: await store.get("resume") });
   * wsc.addOnIdentified("persist", () => store.set("resume", wsc.resumeSecret));
   * ```
   */
  get resumeSecret(): string | undefined {
    return this.#resume;
  }

  /** Frames waiting in the send queue. */
  get queuedFrames(): number {
    return this.#queue.length;
  }

  /** Frames sent on the current connection that the relay has not acked yet (`acks`). */
  get unconfirmedFrames(): number {
    return this.#sender.unconfirmed;
  }

  /**
   * Whether the client reconnects after the socket closes (the seed's `reconnect` attribute).
   * Setting it to `false` also cancels a reconnect that is already scheduled. Default `true`.
   *
   * @example
   * ```ts
   * wsc.reconnect = false; // the next close is final
   * ```
   */
  get reconnect(): boolean {
    return this.#reconnect;
  }

  set reconnect(value: boolean) {
    this.#reconnect = value;
    if (!value && this.#timer !== undefined) {
      this.#clearTimer();
      this.#closeForGood("reconnect is off");
    }
  }

  /**
   * Connects to the relay at `url` (default: the `host` option), replacing any current
   * connection (whose close is then not reported). Also undoes an earlier {@link close}.
   * The relay's handshake follows; the client identifies and then sends its queue.
   *
   * @param url - For example `ws://127.0.0.1:8888` or `wss://relay.example.com/myroom`.
   * @throws TypeError when there is no URL or no WebSocket class, or what the WebSocket
   *   constructor throws for a malformed URL.
   * @example
   * ```ts
   * const wsc = new WebSocketClient("Player1", { autoConnect: false });
   * wsc.addOnOpen("hello", () => console.log("connected"));
   * wsc.connectToSocket("ws://127.0.0.1:8888");
   * ```
   */
  connectToSocket(url: string | undefined = this.#host): void {
    if (typeof url !== "string" || url === "") {
      throw new TypeError("connectToSocket needs the relay's URL, such as ws://127.0.0.1:8888");
    }
    this.#closed = false;
    this.#host = url;
    this.#attempt = 0;
    this.#clearTimer();
    this.#heartbeat.stop();
    const old = this.#connection;
    this.#connection = undefined;
    const unconfirmed = this.#sender.stop();
    old?.detach(1000, "reconnecting");
    if (unconfirmed !== undefined) this.#emitter.fail(unconfirmed);
    try {
      this.#open(url);
    } catch (error) {
      this.#closeForGood("the WebSocket could not be created");
      throw error;
    }
  }

  /**
   * Closes the connection for good: no reconnect follows (until {@link connectToSocket} is
   * called again), the close hooks run when the socket has closed, and frames still queued
   * are discarded and reported to the error hooks as one `CLIENT_CLOSED` error (a
   * {@link ClientClosedError} with their texts). Frames already reported `"sent"` go out
   * before the close; frames written after it are dropped.
   *
   * @param code - The close code: 1000 or 3000-4999. Default 1000.
   * @param reason - The close reason. Default `""`.
   * @returns How many queued frames were discarded.
   * @throws RangeError for a close code a WebSocket may not send.
   * @example
   * ```ts
   * wsc.close();
   * ```
   */
  close(code = 1000, reason = ""): number {
    if (code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw new RangeError(`close code must be 1000 or in 3000-4999, got ${code}`);
    }
    this.#closed = true;
    this.#clearTimer();
    this.#heartbeat.stop();
    this.#state = "closed";
    this.#sender.flush();
    const connection = this.#connection;
    if (connection !== undefined) {
      try {
        connection.socket.close(code, reason);
      } catch {
        // Already closed; the close event has been or will be handled.
      }
    }
    return this.#closeForGood("close() was called");
  }

  /**
   * Sends a frame (an object, serialised as JSON, or a string sent as it is). Once the
   * client is identified it goes out at once; before that, and while reconnecting, it waits
   * in the send queue and goes out, in order, right after the next identify. Nothing is sent
   * before the identify.
   *
   * When the queue is full (`maxQueuedFrames` or `maxQueuedBytes`), the new frame is dropped,
   * the queue is left as it was, and the error hooks get a `QUEUE_OVERFLOW` error. Once the
   * client is closed for good ({@link close}, a fatal close code or refused upgrade, a close
   * with {@link reconnect} off: `state` is `"closed"`), frames are dropped with a
   * `CLIENT_CLOSED` error, until {@link connectToSocket} is called again.
   *
   * With the relay's `batch` capability, the frames written in one tick go out together, as
   * one `batch` frame, at the end of the tick. With `acks`, a JSON object without an `id` gets
   * the client's next number as its `id` (peers see it), and what the relay never confirms is
   * reported as an `UnconfirmedError` when the connection closes.
   *
   * @param message - A frame object (see the builders) or its JSON text.
   * @returns `"sent"`, `"queued"` or `"dropped"`.
   * @throws TypeError when the object cannot be serialised as JSON.
   * @example
   * ```ts
   * wsc.writeToSocket(commandMessage("pass_ball", wsc.name, "Player2", { catch: true }));
   * wsc.writeToSocket(levelMessage("warming up", "info", wsc.name, "Console"));
   * ```
   */
  writeToSocket(message: object | string): SendResult {
    // Identified (so not closed): the send path serialises the frame itself, with its id.
    if (this.#state === "identified" && this.#connection?.isOpen && this.#sender.active) {
      this.#sender.write(message);
      return "sent";
    }
    const text = serialize(message);
    if (this.#state === "closed") {
      this.#emitter.fail(new ClientClosedError([text], this.#closedBecause));
      return "dropped";
    }
    const refusal = this.#queue.push(text);
    if (refusal !== undefined) {
      this.#emitter.fail(new QueueOverflowError(text, refusal));
      return "dropped";
    }
    return "queued";
  }

  /**
   * Registers the function a received command runs. The command's kwargs are the first
   * argument, so keyword arguments read naturally by destructuring, and a missing one is
   * `undefined` (the seed's `catch=None`); the second argument is a {@link CommandContext}
   * with the sender, the positional `args`, the decoded message and the raw frame. The
   * defaults `indentify` and `set_time` are registered already; replacing them needs
   * `overwrite`.
   *
   * @param name - The command's name (`data.cmd`).
   * @param fn - The function; may return a promise. A throw or rejection goes to the error hooks.
   * @param overwrite - Replace a function of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addCmdFunction("pass_ball", ({ catch: caught }, { sender, client }) => {
   *   if (caught === undefined) return; // the ball went missing
   *   client.writeToSocket(commandMessage("pass_ball", client.name, sender ?? "", { catch: true }));
   * });
   * ```
   */
  addCmdFunction(name: string, fn: CommandFunction, overwrite = false): boolean {
    return this.#dispatcher.commands.add(name, fn, overwrite);
  }

  /** Removes the command function `name` (the defaults too). @returns true when there was one. */
  removeCmdFunction(name: string): boolean {
    return this.#dispatcher.commands.remove(name);
  }

  /**
   * Registers the function that frames of type `type` run (any type but `"cmd"`, which is
   * dispatched to the command functions). It receives the frame's `data` and a
   * {@link MessageContext}.
   *
   * @param type - The frame type, for example `"message"` or `"data"`.
   * @param overwrite - Replace a function of the same type. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addMessageType("data", (data, { sender }) => console.log(sender, data));
   * ```
   */
  addMessageType(type: string, fn: MessageTypeFunction, overwrite = false): boolean {
    if (type === FrameType.command) {
      throw new TypeError(`"${type}" frames are commands: use addCmdFunction`);
    }
    return this.#dispatcher.types.add(type, fn, overwrite);
  }

  /** Removes the message type function for `type`. @returns true when there was one. */
  removeMessageType(type: string): boolean {
    return this.#dispatcher.types.remove(type);
  }

  #open(url: string): void {
    const WebSocket = this.#options.WebSocket ?? globalWebSocket();
    if (WebSocket === undefined) {
      throw new TypeError(
        "this runtime has no global WebSocket: pass options.WebSocket (for example the ws package)",
      );
    }
    this.#state = "connecting";
    this.#granted = [];
    this.#unanswered = 0;
    const protocols =
      this.token === undefined ? [] : [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${this.token}`];
    const connection: Connection = new Connection(
      WebSocket,
      url,
      {
        open: () => {
          if (this.#connection !== connection) return;
          this.#state = "open";
          this.#emitter.emit("open");
        },
        message: (data) => {
          if (this.#connection !== connection) return;
          this.#heartbeat.heard();
          if (data !== HEARTBEAT_RESPONSE) this.#dispatcher.receive(this, data);
        },
        error: (cause) => {
          // A refused upgrade is reported with its status when the socket closes.
          if (this.#connection !== connection || this.#closed) return;
          if (connection.refusedStatus === undefined) {
            this.#emitter.fail(new ConnectionError(url, cause));
          }
        },
        close: (code, reason) => {
          if (this.#connection === connection) {
            this.#onClose(code, reason, connection.refusedStatus);
          }
        },
      },
      protocols,
    );
    this.#connection = connection;
  }

  #onClose(code: number, reason: string, refusedStatus?: number): void {
    this.#heartbeat.stop();
    this.#clearIdentifiedTimer();
    const url = this.#connection?.url ?? this.#host ?? "";
    this.#connection = undefined;
    this.#granted = [];
    const unconfirmed = this.#sender.stop();
    if (unconfirmed !== undefined) this.#emitter.fail(unconfirmed);
    const refused = refusedStatus !== undefined && FATAL_HTTP_STATUSES.has(refusedStatus);
    if (refusedStatus !== undefined && !this.#closed) {
      this.#emitter.fail(new UpgradeRefusedError(url, refusedStatus, refused));
    }
    const fatal = FATAL_CLOSE_CODES.has(code);
    if (this.#closed || !this.#reconnect || refused || fatal) {
      if (!this.#closed) {
        if (fatal) this.#emitter.fail(new FatalCloseError(code, reason));
        this.#closeForGood(
          refused
            ? `the relay refused the upgrade with HTTP ${refusedStatus}`
            : fatal
              ? `the relay closed the socket with code ${code}`
              : "reconnect is off",
        );
      }
      this.#emitter.emit("close", { code, reason, reconnecting: false });
      return;
    }
    const delay = backoffDelay(this.#attempt, this.#options.backoff);
    this.#attempt += 1;
    this.#state = "reconnecting";
    const host = this.#host;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (host === undefined) return;
      try {
        this.#open(host);
      } catch (error) {
        this.#emitter.fail(new ConnectionError(host, error));
        this.#onClose(1006, "the WebSocket could not be created");
      }
    }, delay);
    this.#emitter.emit("close", { code, reason, reconnecting: true, delay });
  }

  /**
   * Enters the `"closed"` state: the queue's frames will never be sent, so they are dropped
   * and reported as one `CLIENT_CLOSED` error, as every frame written from now on will be.
   *
   * @returns How many queued frames were dropped.
   */
  #closeForGood(because: string): number {
    this.#state = "closed";
    this.#closedBecause = because;
    const dropped = this.#queue.drain();
    if (dropped.length > 0) this.#emitter.fail(new ClientClosedError(dropped, because));
    return dropped.length;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #send(connection: Connection, text: string): void {
    try {
      connection.socket.send(text);
    } catch (error) {
      this.#emitter.fail(new ConnectionError(connection.url, error));
    }
  }

  #answerIdentify(context: CommandContext): void {
    if (context.sender !== SERVER) {
      this.#emitter.fail(new NotFromRelayError(context.command, context.sender));
      return;
    }
    const connection = this.#connection;
    if (connection === undefined) return;
    const kwargs: JsonObject = { [IdentifyField.name]: this.name };
    if (this.password !== undefined) kwargs[IdentifyField.password] = this.password;
    const asked = this.#options.capabilities;
    if (asked.length > 0) kwargs[IdentifyField.capabilities] = [...asked];
    if (this.#resume !== undefined) kwargs[IdentifyField.resume] = this.#resume;
    this.#send(
      connection,
      JSON.stringify(commandMessage(Command.identify, this.name, SERVER, kwargs)),
    );
    if (asked.length > 0) this.#unanswered += 1;
    // Asked again while identified: the relay checks that this connection is alive, before it
    // gives the name to a newcomer. The answer is all it needs; nothing else changes.
    if (this.#state === "identified") return;
    // Without capabilities the relay sends no acknowledgement: count the identify as done.
    if (asked.length === 0) {
      this.#becomeIdentified(connection, { name: this.name, capabilities: [], time: this.time });
    } else {
      this.#awaitIdentified(connection);
    }
  }

  /**
   * Waits `identifiedTimeout` for the relay's `identified`; a server that never sends one
   * (the seed's) is taken for one without extensions.
   */
  #awaitIdentified(connection: Connection): void {
    this.#clearIdentifiedTimer();
    const timeout = this.#options.identifiedTimeout;
    if (timeout === 0) return;
    this.#identifiedTimer = setTimeout(() => {
      this.#identifiedTimer = undefined;
      if (this.#connection !== connection || this.#state === "identified") return;
      this.#unanswered = 0;
      this.#options.logger.warn(
        `${this.name}: no "identified" answer within ${timeout} ms; taking the server for one without extensions`,
      );
      this.#becomeIdentified(connection, { name: this.name, capabilities: [], time: this.time });
    }, timeout);
  }

  #clearIdentifiedTimer(): void {
    if (this.#identifiedTimer !== undefined) clearTimeout(this.#identifiedTimer);
    this.#identifiedTimer = undefined;
  }

  #storeTime(kwargs: JsonObject, context: CommandContext): void {
    if (context.sender !== SERVER) {
      this.#emitter.fail(new NotFromRelayError(context.command, context.sender));
      return;
    }
    const decoded = decodeSetTime(kwargs);
    if (decoded === undefined)
      this.#emitter.fail(malformed(context.message, "set_time needs a numeric time"));
    else this.time = decoded.time;
  }

  #onIdentified(kwargs: JsonObject, context: MessageContext): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    const expected = this.#unanswered > 0;
    if (expected) this.#unanswered -= 1;
    if (this.#state === "identified" && !expected) {
      // Late, after identifiedTimeout took the server for one without extensions.
      this.#options.logger.warn(`${this.name}: "identified" came after identifiedTimeout; ignored`);
      return;
    }
    const info = decodeIdentified(kwargs);
    if (info === undefined || info.name !== this.name) {
      this.#emitter.fail(malformed(context.message, `"identified" must name ${this.name}`));
      return;
    }
    if (this.#state === "identified") {
      // The answer to an identify sent while identified: the name is still this client's.
      if (info.resume !== undefined) this.#resume = info.resume;
      return;
    }
    this.time = info.time;
    this.#resume = info.resume;
    this.#becomeIdentified(connection, {
      name: info.name,
      capabilities: info.capabilities,
      time: info.time,
    });
  }

  #becomeIdentified(connection: Connection, info: IdentifiedInfo): void {
    this.#clearIdentifiedTimer();
    this.#attempt = 0;
    this.#state = "identified";
    this.#granted = [...info.capabilities];
    this.#sender.start(connection, this.#granted);
    if (connection.isOpen) {
      for (const text of this.#queue.drain()) this.#sender.write(text);
    }
    if (this.#granted.includes(Capability.heartbeat)) {
      // A connection that has heard nothing for two intervals is dropped as dead.
      this.#heartbeat.start(
        () => {
          if (this.#connection === connection && connection.isOpen) {
            this.#send(connection, HEARTBEAT_REQUEST);
          }
        },
        () => {
          if (this.#connection !== connection) return;
          connection.detach(CloseCode.heartbeatTimeout, "no answer to heartbeats");
          this.#onClose(CloseCode.heartbeatTimeout, "no answer to heartbeats");
        },
      );
    }
    this.#emitter.emit("identified", info);
  }
}
