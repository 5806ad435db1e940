/**
 * The seed's `WebSocketClient`, in TypeScript: the public class, composed of its parts. The
 * connection lifecycle (open, close, backoff, the one state) is the {@link Lifecycle}'s; the
 * identify handshake the {@link Handshake}'s; the send path (queue, ids, acks, batches) the
 * {@link Sender}'s; received frames go through the {@link Dispatcher}; hooks are run by the
 * {@link ClientEmitter}; calls and their replies by {@link Calls}; duplicates are dropped and
 * confirmations sent by the {@link Inbox} (capability `delivery`); `deliver()` promises are the
 * {@link Receipts}'; the room's members the {@link Roster}'s (capability `presence`). A new feature that lives per connection (the roster, the clock samples) is
 * one more part of the same kind: a module with a class that takes its frames from the
 * dispatcher and is attached to the lifecycle as a `ConnectionPart`.
 *
 * @module
 */

import {
  type CapabilityName,
  Command,
  checkName,
  FrameType,
  type Json,
  type JsonObject,
  type Member,
  type Target,
} from "wscomsrv-protocol";
import { type CallOptions, type CallOutcome, Calls } from "./calls.js";
import { Clock } from "./clock.js";
import { Dispatcher } from "./dispatch.js";
import { ClientEmitter } from "./emitter.js";
import { DroppedFramesError, type ReadyError } from "./errors.js";
import type {
  ClientEvents,
  ClientHook,
  ClientState,
  CommandFunction,
  IdentifiedInfo,
  MessageTypeFunction,
} from "./events.js";
import { Handshake } from "./handshake.js";
import { Inbox } from "./inbox.js";
import { Lifecycle } from "./lifecycle.js";
import { type ClientOptions, resolveOptions } from "./options.js";
import { serialize } from "./outgoing.js";
import { Readiness } from "./ready.js";
import { type Receipt, Receipts } from "./receipts.js";
import { Roster } from "./roster.js";
import { Sender } from "./sender.js";

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
 * How long `close()` waits, at most, for the relay's acks of the frames already sent before
 * it closes the socket (with `delivery`, the relay acks a frame once its receivers confirmed
 * it): 1 s.
 */
const CLOSE_LINGER_MS = 1_000;

/**
 * The options of {@link WebSocketClient.deliver}.
 *
 * @example
 * ```ts
 * const receipt = await wsc.deliver(frame, { timeout: 5_000 } satisfies DeliverOptions);
 * ```
 */
export interface DeliverOptions {
  /**
   * Milliseconds, from the call, until the promise rejects with a `RECEIPT_TIMEOUT` error if
   * some target has no final status by then; `0` waits for ever. Default 30,000.
   */
  timeout?: number;
}

/** The default {@link DeliverOptions.timeout}, in ms. */
export const DEFAULT_RECEIPT_TIMEOUT = 30_000;

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
export class WebSocketClient {
  /** The name the client identifies as. */
  readonly name: string;

  readonly #emitter: ClientEmitter;
  readonly #dispatcher: Dispatcher;
  readonly #sender: Sender;
  readonly #lifecycle: Lifecycle;
  readonly #handshake: Handshake;
  readonly #inbox: Inbox;
  readonly #receipts: Receipts;
  readonly #calls: Calls;
  readonly #roster: Roster;
  readonly #clock: Clock;
  readonly #readiness = new Readiness();

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
    this.name = name;
    this.#emitter = new ClientEmitter(name, resolved.logger);
    this.#sender = new Sender(resolved, {
      fail: (error) => this.#emitter.fail(error),
      lost: (frames, error) => this.#receipts.lost(frames, error),
    });
    this.#receipts = new Receipts(this.#sender.streamId);
    this.#lifecycle = new Lifecycle(resolved, this.#emitter, {
      receive: (data) => this.#dispatcher.receive(this, data),
      discard: (because) => this.#sender.discard(because),
      identified: (info) => this.#readiness.identified(info),
      closedForGood: (error) => this.#readiness.closedForGood(error),
    });
    this.#handshake = new Handshake(name, resolved, this.#emitter, this.#lifecycle);
    this.#lifecycle.attach(this.#handshake);
    this.#lifecycle.attach(this.#sender);
    this.#inbox = new Inbox(name, this.#lifecycle, (error) => this.#emitter.fail(error));
    this.#lifecycle.attach(this.#inbox);
    this.#calls = new Calls({
      name,
      replyStacks: resolved.replyStacks,
      stream: this.#sender.streamId,
      send: (connection, text) => {
        if (this.#lifecycle.sendable !== connection) return false;
        this.#sender.write(text);
        return true;
      },
    });
    this.#lifecycle.attach(this.#calls);
    this.#roster = new Roster(name, this.#lifecycle, this.#emitter, resolved.now);
    this.#lifecycle.attach(this.#roster);
    this.#clock = new Clock({
      name,
      now: resolved.now,
      // Straight to the socket, outside the frame stream: no id, no sid, no batch, no resend.
      send: (connection, text) => {
        if (this.#lifecycle.sendable !== connection) return false;
        connection.socket.send(text);
        return true;
      },
      moved: (estimate) => this.#emitter.emit("clock", estimate),
    });
    this.#lifecycle.attach(this.#clock);
    this.#dispatcher = new Dispatcher(
      this.#emitter,
      {
        identified: (kwargs, context) => {
          this.#calls.limits(kwargs);
          this.#handshake.answered(kwargs, context);
        },
        ack: ({ id }) => this.#sender.confirm(id),
        mail: (data) => this.#inbox.mail(data),
        receipt: (data) => this.#receipts.take(data),
        admit: (message, fields) => this.#inbox.admit(message, fields),
        undecodable: () => this.#inbox.undecodable(),
        presence: (data) => this.#roster.presence(data),
        members: (page) => this.#roster.page(page),
        pong: (kwargs) => this.#clock.pong(kwargs),
      },
      this.#calls,
    );
    this.#dispatcher.commands.add(Command.identify, (_kwargs, context) =>
      this.#handshake.answer(context),
    );
    this.#dispatcher.commands.add(Command.setTime, (kwargs, context) =>
      this.#handshake.storeTime(kwargs, context),
    );
    if (resolved.host !== undefined && resolved.autoConnect) this.connectToSocket(resolved.host);
  }

  /** The room password sent with every identify; may be changed between connects. */
  get password(): string | undefined {
    return this.#handshake.password;
  }

  set password(value: string | undefined) {
    this.#handshake.password = value;
  }

  /** The token offered with every connect (see `ClientOptions.token`); may be changed. */
  get token(): string | undefined {
    return this.#lifecycle.token;
  }

  set token(value: string | undefined) {
    this.#lifecycle.token = value;
  }

  /** The room's epoch in seconds since 1970, from the relay's `set_time`. `undefined` until then. */
  get time(): number | undefined {
    return this.#handshake.time;
  }

  set time(value: number | undefined) {
    this.#handshake.time = value;
  }

  /**
   * The relay's clock now, in ms since 1970: the local clock (the `now` option) plus
   * {@link clockOffset}; the local clock alone until the first sample. The client samples
   * the relay's clock with `ping` at every identify (5 samples, 50 ms apart) and every 30 s
   * while identified, and estimates from the sample with the lowest round trip among the
   * last 16; the `clock` event tells when the estimate moves by more than its bound.
   *
   * @example
   * ```ts
   * wsc.on("clock", () => console.log("relay time", new Date(wsc.serverNow()), "±", wsc.clockBound));
   * ```
   */
  serverNow(): number {
    return this.#clock.serverNow();
  }

  /**
   * Seconds since the room's epoch ({@link time}) on the relay's clock: what the seed's users
   * compute as `time.time() - ws.time`, the `t` of a data point. `undefined` until the relay
   * sent the epoch.
   *
   * @example
   * ```ts
   * wsc.writeToSocket(dataPointMessage(wsc.roomTime() ?? 0, 21.5, wsc.name, "gui"));
   * ```
   */
  roomTime(): number | undefined {
    const epoch = this.time;
    return epoch === undefined ? undefined : this.serverNow() / 1000 - epoch;
  }

  /** The relay's clock minus the local clock, in ms; `undefined` until the first sample. */
  get clockOffset(): number | undefined {
    return this.#clock.estimate?.offset;
  }

  /** The round trip of the sample the estimate comes from, in ms; `undefined` until then. */
  get clockRtt(): number | undefined {
    return this.#clock.estimate?.rtt;
  }

  /**
   * How wrong {@link clockOffset} may be, at most, in ms: half the round trip of its sample
   * (however the delay splits between the two ways) plus 1.5 ms for the millisecond
   * resolution of the clocks read; `undefined` until the first sample.
   */
  get clockBound(): number | undefined {
    return this.#clock.estimate?.bound;
  }

  /** How many samples the estimate is chosen from now (the latest, at most 16). */
  get clockSamples(): number {
    return this.#clock.samples;
  }

  /** Where the client stands; see {@link ClientState}. */
  get state(): ClientState {
    return this.#lifecycle.phase.state;
  }

  /** The relay address in use (the `host` option or the last `connectToSocket` URL). */
  get url(): string | undefined {
    return this.#lifecycle.url;
  }

  /** The capabilities the relay granted at the last identify (empty until identified). */
  get capabilities(): readonly CapabilityName[] {
    return this.#handshake.granted;
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
    return this.#handshake.resume;
  }

  /**
   * The client's stream id: 12 random base64url characters, one per client object. With the
   * relay's `delivery` or `receipts` capability, every JSON object frame the client sends
   * carries it as `sid`, with its number in the stream as `seq` (from 1, one more per frame,
   * across reconnects), so that receivers can drop a frame sent twice.
   */
  get streamId(): string {
    return this.#sender.streamId;
  }

  /**
   * The room's members by name (capability `presence`, asked for by default): each one's
   * `state` (`"here"`, or `"away"`: its connection went without a goodbye and it may come
   * back within the room's mail window) and `since` (ms since 1970 on the relay's clock).
   * The client itself is in it. Filled at each identify from the relay's roster (fetching
   * every page), kept up to date by the relay's changes; while reconnecting it shows the
   * roster as last known. Empty when the relay does not grant `presence`. Read-only: the
   * hooks `join`, `leave`, `away`, `back` and `moved` tell each change.
   *
   * @example
   * ```ts
   * for (const { name, state } of wsc.members.values()) console.log(name, state);
   * if (wsc.members.get("Sensor")?.state === "here") wsc.writeToSocket(frame);
   * ```
   */
  get members(): ReadonlyMap<string, Member> {
    return this.#roster.members;
  }

  /** Frames waiting in the send queue. */
  get queuedFrames(): number {
    return this.#sender.queued;
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
    return this.#lifecycle.reconnect;
  }

  set reconnect(value: boolean) {
    this.#lifecycle.reconnect = value;
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
  connectToSocket(url: string | undefined = this.#lifecycle.url): void {
    if (typeof url !== "string" || url === "") {
      throw new TypeError("connectToSocket needs the relay's URL, such as ws://127.0.0.1:8888");
    }
    this.#lifecycle.connect(url);
  }

  /**
   * Closes the connection for good: no reconnect follows (until {@link connectToSocket} is
   * called again), the close hooks run when the socket has closed, and frames still queued
   * are discarded and reported to the error hooks as one `CLIENT_CLOSED` error (a
   * {@link DroppedFramesError} with their texts). Frames already reported `"sent"` go out
   * before the close, and with `acks` the socket closes once the relay acked them (with
   * `delivery`, once their receivers confirmed them), or after 1 s; frames written after it
   * are dropped.
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
    return this.#lifecycle.close(
      code,
      reason,
      () => this.#sender.flush(),
      (done) => this.#sender.linger(done, CLOSE_LINGER_MS),
    );
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
   * reported as an `UnconfirmedError` when the connection closes, or, with `delivery`, sent
   * again first (marked `"resent":true`) after the next identify. With `delivery` or
   * `receipts`, a JSON object also gets the client's `sid` and its `seq` (see
   * {@link streamId}). With `delivery`, while the frames not acked yet fill the window
   * (`maxUnconfirmedFrames`, `maxUnconfirmedBytes`), a new frame waits in the send queue
   * (`"queued"`) and goes out, in order, as acks make room.
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
    // Identified: the send path serialises the frame itself, with its id.
    if (this.#lifecycle.sendable !== undefined) return this.#sender.write(message);
    const phase = this.#lifecycle.phase;
    if (phase.state === "closed") {
      this.#emitter.fail(DroppedFramesError.closed([serialize(message)], phase.because));
      return "dropped";
    }
    return this.#sender.enqueue(message);
  }

  /**
   * Sends a frame of type `type` with `data` to `target`, as {@link writeToSocket} does: the
   * frame carries no sender name, since the relay stamps `from` with the name this client
   * identified as. For commands, see {@link command}.
   *
   * @param target - One name or a list of names (`"*"` for everyone but the sender).
   * @param type - The frame type (not `"cmd"`).
   * @param data - The payload. Default `{}`.
   * @returns `"sent"`, `"queued"` or `"dropped"`, as {@link writeToSocket}.
   * @throws TypeError for an empty target or type, the type `"cmd"`, or data that cannot be
   *   serialised as JSON.
   * @example
   * ```ts
   * wsc.send("Plotter", "data", { key: "temperature", x: 12, y: 21.5 });
   * wsc.send(["Console", "Logger"], "message", { content: "warming up", title: "", level: "info" });
   * ```
   */
  send(target: Target, type: string, data: Json = {}): SendResult {
    if (typeof type !== "string" || type === "") {
      throw new TypeError("send(target, type, data): type must be a non-empty string");
    }
    if (type === FrameType.command) {
      throw new TypeError(
        'send: "cmd" frames are commands: use client.command(target, cmd, kwargs)',
      );
    }
    return this.writeToSocket({ type, data, target: targetList("send", target) });
  }

  /**
   * Sends the command `cmd` with `kwargs` to `target`, as {@link writeToSocket} does: the
   * seed's command frame (`{"type":"cmd","data":{"cmd","args":[],"kwargs"}}`) without the
   * sender name, which the relay stamps. The target's command function (`addCmdFunction`)
   * runs with `kwargs`; nothing comes back (for an answer, see {@link call}).
   *
   * @param target - One name or a list of names (`"*"` for everyone but the sender).
   * @param cmd - The command's name.
   * @param kwargs - Its keyword arguments. Default `{}`.
   * @returns `"sent"`, `"queued"` or `"dropped"`, as {@link writeToSocket}.
   * @throws TypeError for an empty target or command, kwargs that are not a JSON object.
   * @example
   * ```ts
   * wsc.command("Player2", "pass_ball", { catch: true });
   * ```
   */
  command(target: Target, cmd: string, kwargs: JsonObject = {}): SendResult {
    if (typeof cmd !== "string" || cmd === "") {
      throw new TypeError("command(target, cmd, kwargs): cmd must be a non-empty string");
    }
    if (typeof kwargs !== "object" || kwargs === null || Array.isArray(kwargs)) {
      throw new TypeError("command(target, cmd, kwargs): kwargs must be an object");
    }
    return this.writeToSocket({
      type: FrameType.command,
      data: { cmd, args: [], kwargs },
      target: targetList("command", target),
    });
  }

  /**
   * Resolves with the {@link IdentifiedInfo} once the client is identified: at once when it
   * is, else at the next identify (a client that is still `"idle"` waits for
   * {@link connectToSocket}). Rejects when the client is closed for good first, with the
   * error of that final refusal (a {@link ReadyError}): a `FatalCloseError` (the name is
   * taken: 4009, a wrong password: 4001, ...), an `UpgradeRefusedError` with 400, 401, 403 or
   * 404, `RETRIES_EXHAUSTED` (see `maxRetries`), or `CLIENT_CLOSED` (`close()` was called, or a
   * close with `reconnect` off); at once when it is closed already. Rejects with a
   * `READY_TIMEOUT` error after `timeoutMs`. These rejections are not given to the error
   * hooks (the refusals are, as always, once).
   *
   * @param timeoutMs - Milliseconds to wait at most; `Infinity` (the default) waits for ever.
   * @throws RangeError for a timeout that is not a number > 0.
   * @example
   * ```ts
   * const wsc = new WebSocketClient("Sensor", { host: "ws://127.0.0.1:8888/lab" });
   * try {
   *   const { capabilities } = await wsc.ready(5_000);
   *   console.log("identified with", capabilities);
   * } catch (error) {
   *   if (isWsComSrvError(error, "FATAL_CLOSE")) console.error("refused:", error.message);
   * }
   * ```
   */
  ready(timeoutMs = Number.POSITIVE_INFINITY): Promise<IdentifiedInfo> {
    if (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`ready(timeoutMs): timeoutMs must be a number > 0, got ${timeoutMs}`);
    }
    return this.#readiness.wait(this.state, timeoutMs);
  }

  /**
   * Sends a frame as {@link writeToSocket} does, asking the relay for its receipt (capability
   * `receipts`): the frame gets the client's `sid`, its `seq` and `"receipt":true`. The
   * promise resolves once every target has a final status (see {@link Receipt}): `delivered`,
   * `confirmed`, `unknown`, `refused`, `expired`, `overflow` or `uncertain`; a target the
   * room keeps the frame for (`stored`) is waited for. A status once final stays final, also
   * when the frame is sent again after a broken connection. Queued frames keep their pending
   * receipt until they are sent.
   *
   * The promise rejects with a `ReceiptTimeoutError` (`RECEIPT_TIMEOUT`, with the statuses so
   * far) after `timeout`, also when the relay does not grant `receipts`; and with the
   * `DroppedFramesError` (`QUEUE_OVERFLOW` or `CLIENT_CLOSED`) when the frame is dropped
   * unsent: that error goes to the promise, not to the error hooks.
   *
   * @param message - A JSON object frame (an object or its text) without `sid`, `seq`,
   *   `receipt` or `resent` fields.
   * @param options - See {@link DeliverOptions}.
   * @throws TypeError for a frame that is not a JSON object or has those fields.
   * @throws RangeError for a timeout that is not a finite number >= 0.
   * @example
   * ```ts
   * const receipt = await wsc.deliver({ type: "order", data: { id: 7 }, target: ["Kitchen"] });
   * if (receipt.status.Kitchen !== "confirmed") console.warn("not confirmed:", receipt.status);
   * ```
   */
  deliver(
    message: object | string,
    { timeout = DEFAULT_RECEIPT_TIMEOUT }: DeliverOptions = {},
  ): Promise<Receipt> {
    if (!Number.isFinite(timeout) || timeout < 0) {
      throw new RangeError(`timeout must be a finite number >= 0, got ${timeout}`);
    }
    const frame = this.#sender.receiptFrame(message);
    const receipt = this.#receipts.expect(frame.seq, timeout);
    const phase = this.#lifecycle.phase;
    if (this.#lifecycle.sendable !== undefined) {
      this.#sender.writeFrame(frame);
    } else if (phase.state === "closed") {
      this.#receipts.lost([frame], DroppedFramesError.closed([frame.text], phase.because));
    } else {
      this.#sender.enqueueFrame(frame);
    }
    return receipt;
  }

  /**
   * Calls `command` on the client `target` and resolves with what its command function
   * returned (awaited when it returned a promise; `undefined` when it returned nothing), sent
   * as JSON. It is the same function a plain command runs (`addCmdFunction`). Both ends need
   * the `calls` capability (asked for by default). The call is sent at once, in order with the
   * frames written before it; it is never queued.
   *
   * It rejects with a {@link CallError} whose `code` says why: `TARGET_NOT_CONNECTED`,
   * `TARGET_CANNOT_REPLY` (the target did not ask for `calls`), `TARGET_LEFT` (it left before
   * replying), `BAD_CALL`, from the relay; `NO_SUCH_COMMAND`, `HANDLER_FAILED` (with the
   * thrown error's `remoteName` and `remoteMessage`), `REPLY_TOO_LARGE`, from the target;
   * `CALL_TIMEOUT`, `CALL_CANCELLED` (the signal aborted), `CALLER_DROPPED` (this client's
   * connection ended before the reply, or it was not identified with `calls` granted). A
   * failed call is not reported to the error hooks.
   *
   * @param target - The name to call (exactly one; not `"server"` or `"*"`).
   * @param command - The command (`data.cmd`).
   * @param kwargs - Its keyword arguments. Default `{}`.
   * @param options - `timeout` in ms (default 30,000; `Infinity` waits for ever) and `signal`.
   * @throws TypeError for an empty target or command, or kwargs that cannot be serialised.
   * @throws RangeError for a timeout that is not a number > 0.
   * @example
   * ```ts
   * // On "dev":
   * dev.addCmdFunction("read_temp", async ({ probe }) => sensors.read(probe));
   * // On "gui":
   * try {
   *   const celsius = await gui.call("dev", "read_temp", { probe: 2 }, { timeout: 5_000 });
   *   console.log(celsius);
   * } catch (error) {
   *   if (error instanceof CallError) console.warn(error.code, error.message);
   * }
   * ```
   */
  call(
    target: string,
    command: string,
    kwargs: JsonObject = {},
    options: CallOptions = {},
  ): Promise<Json | undefined> {
    return this.#calls
      .outcome(target, command, kwargs, options)
      .then((outcome) => (outcome.ok ? outcome.value : Promise.reject(outcome.error)));
  }

  /**
   * Calls `command` on each of `targets` (each name once, all at once) and resolves, when
   * every call has settled, with each one's {@link CallOutcome} by name: `{ ok: true, value }`
   * or `{ ok: false, error }` with the {@link CallError}. Never rejects. See {@link call}.
   *
   * @throws TypeError, RangeError as {@link call} does.
   * @example
   * ```ts
   * const outcomes = await gui.callAll(["dev1", "dev2", "dev3"], "read_temp", { probe: 1 });
   * for (const [name, outcome] of Object.entries(outcomes)) {
   *   if (outcome.ok) console.log(name, outcome.value);
   *   else console.warn(name, outcome.error.code);
   * }
   * ```
   */
  callAll(
    targets: readonly string[],
    command: string,
    kwargs: JsonObject = {},
    options: CallOptions = {},
  ): Promise<Record<string, CallOutcome>> {
    if (!Array.isArray(targets)) throw new TypeError("callAll needs a list of target names");
    const names = [...new Set(targets)];
    const calls = names.map((target) => this.#calls.outcome(target, command, kwargs, options));
    return Promise.all(calls).then((outcomes) =>
      Object.fromEntries(outcomes.map((outcome, i) => [names[i], outcome])),
    );
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
   * @param fn - The function; may return a promise. A throw or rejection goes to the error
   *   hooks; for a call (see {@link call}), what it returns, or throws, goes back to the caller.
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

  /**
   * Runs `fn` whenever a socket opens (before the identify). The seed's `add_on_open`.
   *
   * @param name - Names the hook, for {@link removeOnOpen} and for overwriting.
   * @param fn - Called with no arguments.
   * @param overwrite - Replace a hook of the same name. Default `false`: the old one is kept,
   *   a warning is logged and `false` is returned.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnOpen("log", () => console.log("open"));
   * ```
   */
  addOnOpen(name: string, fn: ClientHook<"open">, overwrite = false): boolean {
    return this.#emitter.hooks.open.add(name, fn, overwrite);
  }

  /** Removes the open hook `name`. @returns true when there was one. */
  removeOnOpen(name: string): boolean {
    return this.#emitter.hooks.open.remove(name);
  }

  /**
   * Runs `fn` whenever the socket closes. The seed's `add_on_close`; `fn` may take the
   * {@link CloseInfo} (code, reason, whether a reconnect is scheduled) or nothing.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnClose("log", ({ code, reconnecting }) => console.log("closed", code, reconnecting));
   * ```
   */
  addOnClose(name: string, fn: ClientHook<"close">, overwrite = false): boolean {
    return this.#emitter.hooks.close.add(name, fn, overwrite);
  }

  /** Removes the close hook `name`. @returns true when there was one. */
  removeOnClose(name: string): boolean {
    return this.#emitter.hooks.close.remove(name);
  }

  /**
   * Runs `fn` for every error: invalid frames, unknown types and commands, failing handlers,
   * queue overflow, socket errors, fatal closes and the relay's error reports. The seed's
   * `add_on_error`; `fn` may take the {@link ClientError} or nothing. With no error hook
   * registered, errors are logged as warnings.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnError("log", (error) => console.warn(error.code, error.message));
   * ```
   */
  addOnError(name: string, fn: ClientHook<"error">, overwrite = false): boolean {
    return this.#emitter.hooks.error.add(name, fn, overwrite);
  }

  /** Removes the error hook `name`. @returns true when there was one. */
  removeOnError(name: string): boolean {
    return this.#emitter.hooks.error.remove(name);
  }

  /**
   * Runs `fn` for every valid frame received, before it goes to its command or message
   * type function. The seed's `add_on_message`: `fn` receives the message (the decoded
   * envelope) and a {@link MessageContext} with the sender and the raw frame.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnMessage("trace", (message, { raw }) => console.log(message.type, raw));
   * ```
   */
  addOnMessage(name: string, fn: ClientHook<"message">, overwrite = false): boolean {
    return this.#emitter.hooks.message.add(name, fn, overwrite);
  }

  /** Removes the message hook `name`. @returns true when there was one. */
  removeOnMessage(name: string): boolean {
    return this.#emitter.hooks.message.remove(name);
  }

  /**
   * Runs `fn` each time the relay accepts the identify: after the first connect and after
   * every reconnect, right after the queue was sent.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnIdentified("ready", ({ name, time }) => console.log(name, "joined; epoch", time));
   * ```
   */
  addOnIdentified(name: string, fn: ClientHook<"identified">, overwrite = false): boolean {
    return this.#emitter.hooks.identified.add(name, fn, overwrite);
  }

  /** Removes the identified hook `name`. @returns true when there was one. */
  removeOnIdentified(name: string): boolean {
    return this.#emitter.hooks.identified.remove(name);
  }

  /**
   * Runs `fn` for each error report from the relay: a {@link RelayError} with the relay's
   * `relayCode` (for example `UNDELIVERED` with the missing `targets`). These reports go to
   * the error hooks as well.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnRelayError("missing", (error) => {
   *   if (error.relayCode === "UNDELIVERED") console.log("not there:", error.targets);
   * });
   * ```
   */
  addOnRelayError(name: string, fn: ClientHook<"relayError">, overwrite = false): boolean {
    return this.#emitter.hooks.relayError.add(name, fn, overwrite);
  }

  /** Removes the relay error hook `name`. @returns true when there was one. */
  removeOnRelayError(name: string): boolean {
    return this.#emitter.hooks.relayError.remove(name);
  }

  /**
   * Runs `fn` with each {@link UnconfirmedError}: frames handed to a socket that the relay
   * never acked (capability `acks`), once per connection that closed with some. They go to
   * the error hooks as well. Without `delivery`, the client never resends them; with it, it
   * resends every frame whose text it kept, and only the others are reported.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnUnconfirmed("audit", ({ frames, untracked }) => console.warn(frames.length + untracked));
   * ```
   */
  addOnUnconfirmed(name: string, fn: ClientHook<"unconfirmed">, overwrite = false): boolean {
    return this.#emitter.hooks.unconfirmed.add(name, fn, overwrite);
  }

  /** Removes the unconfirmed hook `name`. @returns true when there was one. */
  removeOnUnconfirmed(name: string): boolean {
    return this.#emitter.hooks.unconfirmed.remove(name);
  }

  /**
   * Runs `fn` when a member's stay begins (capability `presence`), and for each member found
   * in the roster at an identify that this client did not know (all of them, the first
   * time). `fn` gets the {@link Member} and the time (ms since 1970, the relay's clock). It
   * never runs for the client's own name. A takeover is no join (see `on("moved")`), nor is
   * a return within the window (`on("back")`).
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnJoin("greet", ({ name }) => console.log(name, "joined"));
   * ```
   */
  addOnJoin(name: string, fn: ClientHook<"join">, overwrite = false): boolean {
    return this.#emitter.hooks.join.add(name, fn, overwrite);
  }

  /** Removes the join hook `name`. @returns true when there was one. */
  removeOnJoin(name: string): boolean {
    return this.#emitter.hooks.join.remove(name);
  }

  /**
   * Runs `fn` when a member's stay ends (capability `presence`): it closed the connection, or
   * it was away and the room's mail window ended, or, after a reconnect, it is no longer in
   * the roster. `fn` gets the {@link Member} as it was last and the time (ms since 1970: the
   * relay's clock, or this client's when the leave was found by comparing rosters). It never
   * runs for the client's own name.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnLeave("bye", ({ name }, at) => console.log(name, "left at", new Date(at)));
   * ```
   */
  addOnLeave(name: string, fn: ClientHook<"leave">, overwrite = false): boolean {
    return this.#emitter.hooks.leave.add(name, fn, overwrite);
  }

  /** Removes the leave hook `name`. @returns true when there was one. */
  removeOnLeave(name: string): boolean {
    return this.#emitter.hooks.leave.remove(name);
  }

  /**
   * Adds an anonymous hook for `event` and returns the function that removes it.
   *
   * @example
   * ```ts
   * const off = wsc.on("identified", () => console.log("ready"));
   * off();
   * ```
   */
  on<K extends keyof ClientEvents>(event: K, fn: ClientHook<K>): () => void {
    return this.#emitter.on(event, fn);
  }

  /**
   * Adds an anonymous hook for `event` that runs once, at the next such event, and is
   * removed before it runs; returns the function that removes it sooner.
   *
   * @throws TypeError when `fn` is not a function.
   * @example
   * ```ts
   * wsc.once("open", () => console.log("first socket open"));
   * const cancel = wsc.once("close", ({ code }) => console.log("closed", code));
   * cancel(); // never mind
   * ```
   */
  once<K extends keyof ClientEvents>(event: K, fn: ClientHook<K>): () => void {
    return this.#emitter.once(event, fn);
  }
}

/** `target` as a list of names; a `TypeError` naming `method` for an empty one. */
function targetList(method: string, target: Target): string[] {
  const names = typeof target === "string" ? [target] : Array.isArray(target) ? [...target] : [];
  if (names.length === 0 || names.some((name) => typeof name !== "string" || name === "")) {
    throw new TypeError(
      `${method}: target must be a name or a non-empty list of names, got ${JSON.stringify(target)}`,
    );
  }
  return names;
}
