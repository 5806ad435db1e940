/**
 * The connection lifecycle: opening a socket, its close, backoff and reconnect, the heartbeat
 * that finds a dead connection, and the one state every path of the client reads. The state is
 * a single {@link Phase} value: the connection, the reconnect timer and the reason of a final
 * close are parts of the phase they belong to, so they can never disagree with it.
 *
 * What lives for one connection (the handshake, the send path, and later the pending calls,
 * the roster and the clock samples) is a {@link ConnectionPart}: the lifecycle tells each part
 * when a socket opens, when the relay accepted the identify, and when the connection is over.
 *
 * @module
 */

import {
  Capability,
  type CapabilityName,
  CloseCode,
  FATAL_CLOSE_CODES,
  HEARTBEAT_REQUEST,
  HEARTBEAT_RESPONSE,
  type IdentifiedMail,
  type RosterPage,
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  WsComSrvError,
} from "wscomsrv-protocol";
import { backoffDelay } from "./backoff.js";
import type { ClientEmitter } from "./emitter.js";
import {
  type ClientError,
  ClientErrorCode,
  connectionError,
  FatalCloseError,
  type ReadyError,
  retriesExhausted,
  UpgradeRefusedError,
} from "./errors.js";
import type { IdentifiedInfo } from "./events.js";
import type { ResolvedOptions } from "./options.js";
import { Connection, globalWebSocket, type Refusal } from "./transport.js";

/**
 * HTTP statuses of a refused upgrade after which the client does not reconnect: a bad room
 * name or request (400), a bad, expired or foreign token (401), an Origin not allowed (403),
 * a path that is no room (404). Other statuses (429 and 503 when a room is full, 5xx) are
 * followed by the usual reconnect.
 */
export const FATAL_HTTP_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404]);

/**
 * Where the client stands, with what belongs to that state.
 *
 * @example
 * ```ts
 * if (phase.state === "identified" && phase.connection.isOpen) phase.connection.socket.send(text);
 * ```
 */
export type Phase =
  | { readonly state: "idle" }
  | { readonly state: "connecting" | "open" | "identified"; readonly connection: Connection }
  | {
      readonly state: "reconnecting";
      readonly url: string;
      readonly timer: ReturnType<typeof setTimeout>;
    }
  | {
      readonly state: "closed";
      /** Why, for the errors of the frames dropped meanwhile. */
      readonly because: string;
      /** The socket still closing after `close()`, until its close event. */
      readonly connection?: Connection;
    };

/**
 * An identified connection and the capabilities the relay granted on it.
 *
 * @example
 * ```ts
 * const part: ConnectionPart = { identified: ({ granted }) => console.log(granted) };
 * ```
 */
export interface Session {
  /** The connection the relay accepted the identify on. */
  readonly connection: Connection;
  /** The capabilities it granted. */
  readonly granted: readonly CapabilityName[];
  /** The state of the name's mail, as the relay told it (capability `delivery`). */
  readonly mail?: IdentifiedMail;
  /** The first page of the room's roster (capability `presence`). */
  readonly roster?: RosterPage;
}

/**
 * A part of the client whose state lives for one connection. Every method is optional.
 *
 * @example
 * ```ts
 * lifecycle.attach({ ended: () => { pending.clear(); return undefined; } });
 * ```
 */
export interface ConnectionPart {
  /** A new socket is opening: forget what the previous connection left. */
  opening?(): void;
  /** The relay accepted the identify on `session`. */
  identified?(session: Session): void;
  /**
   * The connection is over (closed, replaced or found dead), before its socket is let go:
   * stop using it. Returns the error to report about it, if any (reported after the socket
   * is let go).
   */
  ended?(): ClientError | undefined;
}

/**
 * What the lifecycle needs from the client it belongs to.
 *
 * @example
 * ```ts
 * new Lifecycle(options, emitter, {
 *   receive: (data) => dispatcher.receive(client, data),
 *   discard: () => 0,
 *   identified: (info) => readiness.identified(info),
 *   closedForGood: (error) => readiness.closedForGood(error),
 * });
 * ```
 */
export interface LifecycleHost {
  /** Takes a frame the relay sent (anything but a heartbeat answer). */
  receive(data: unknown): void;
  /** The client is closed for good: drop what waits to be sent. @returns how many frames. */
  discard(because: string): number;
  /** The relay accepted the identify (before the identified hooks run). */
  identified(info: IdentifiedInfo): void;
  /** The client is closed for good; `error` says why (`ready()` rejects with it). */
  closedForGood(error: ReadyError): void;
}

/**
 * Opens, closes and reconnects the client's connection, and holds its {@link Phase}.
 *
 * @example
 * ```ts
 * const lifecycle = new Lifecycle(options, emitter, host);
 * lifecycle.connect("ws://127.0.0.1:8888/lab");
 * ```
 */
export class Lifecycle {
  /** The token offered with every connect; may be changed between connects. */
  token: string | undefined;
  readonly #options: ResolvedOptions;
  readonly #emitter: ClientEmitter;
  readonly #host: LifecycleHost;
  readonly #parts: ConnectionPart[] = [];
  #phase: Phase = { state: "idle" };
  #url: string | undefined;
  #reconnect: boolean;
  #attempt = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #lastHeard = 0;

  constructor(options: ResolvedOptions, emitter: ClientEmitter, host: LifecycleHost) {
    this.#options = options;
    this.#emitter = emitter;
    this.#host = host;
    this.token = options.token;
    this.#reconnect = options.reconnect;
    this.#url = options.host;
  }

  /** Adds a part that is told about every connection, after those added before it. */
  attach(part: ConnectionPart): void {
    this.#parts.push(part);
  }

  /** The state and what belongs to it. */
  get phase(): Phase {
    return this.#phase;
  }

  /** The connection frames may go out on now: identified and open; otherwise `undefined`. */
  get sendable(): Connection | undefined {
    const phase = this.#phase;
    return phase.state === "identified" && phase.connection.isOpen ? phase.connection : undefined;
  }

  /** The current connection (also one still closing after `close()`). */
  get connection(): Connection | undefined {
    return "connection" in this.#phase ? this.#phase.connection : undefined;
  }

  /** The relay address in use. */
  get url(): string | undefined {
    return this.#url;
  }

  /** Whether a close is followed by a reconnect. Off also cancels a scheduled reconnect. */
  get reconnect(): boolean {
    return this.#reconnect;
  }

  set reconnect(value: boolean) {
    this.#reconnect = value;
    if (!value && this.#phase.state === "reconnecting") {
      clearTimeout(this.#phase.timer);
      this.#closeForGood("reconnect is off");
    }
  }

  /** Connects to `url`, replacing (without reporting its close) any current connection. */
  connect(url: string): void {
    this.#url = url;
    this.#attempt = 0;
    if (this.#phase.state === "reconnecting") clearTimeout(this.#phase.timer);
    const old = this.connection;
    this.#phase = { state: "idle" };
    const reports = this.#end();
    old?.detach(1000, "reconnecting");
    this.#report(reports);
    try {
      this.#open(url);
    } catch (error) {
      this.#closeForGood("the WebSocket could not be created");
      throw error;
    }
  }

  /**
   * Closes for good: the socket with `code` and `reason` (its close hooks run at its close
   * event), no reconnect; `linger` says when the socket may close. @returns how many waiting
   * frames were dropped.
   */
  close(
    code: number,
    reason: string,
    flush: () => void,
    linger: (done: () => void) => void,
  ): number {
    const phase = this.#phase;
    if (phase.state === "reconnecting") clearTimeout(phase.timer);
    this.#stopHeartbeat();
    this.#stopConnectTimer();
    const connection = this.connection;
    this.#phase = {
      state: "closed",
      because: "close() was called",
      ...(connection === undefined ? {} : { connection }),
    };
    flush();
    if (connection !== undefined) {
      // The socket closes once what was sent on it is acked (or the linger gives up).
      linger(() => {
        try {
          connection.socket.close(code, reason);
        } catch {
          // Already closed; the close event has been or will be handled.
        }
      });
    }
    return this.#closeForGood("close() was called");
  }

  /** Sends `text` on `connection`; a socket that refuses it becomes a `CONNECTION_ERROR`. */
  send(connection: Connection, text: string): void {
    try {
      connection.socket.send(text);
    } catch (error) {
      this.#emitter.fail(connectionError(connection.url, error));
    }
  }

  /**
   * The relay accepted the identify on `connection` (the handshake decides when): the state
   * becomes `"identified"`, the parts start, the heartbeat beats, the identified hooks run.
   * `mail` is the relay's view of the name's mail, `roster` the first page of the room's
   * roster, for the parts.
   */
  identified(
    connection: Connection,
    info: IdentifiedInfo,
    mail?: IdentifiedMail,
    roster?: RosterPage,
  ): void {
    const phase = this.#phase;
    if (!("connection" in phase) || phase.connection !== connection || phase.state === "closed") {
      return;
    }
    this.#attempt = 0;
    this.#phase = { state: "identified", connection };
    const session: Session = {
      connection,
      granted: info.capabilities,
      ...(mail === undefined ? {} : { mail }),
      ...(roster === undefined ? {} : { roster }),
    };
    for (const part of this.#parts) part.identified?.(session);
    if (info.capabilities.includes(Capability.heartbeat)) this.#startHeartbeat(connection);
    this.#host.identified(info);
    this.#emitter.emit("identified", info);
  }

  #open(url: string): void {
    const WebSocket = this.#options.WebSocket ?? globalWebSocket();
    if (WebSocket === undefined) {
      throw new TypeError(
        "this runtime has no global WebSocket: pass options.WebSocket (for example the ws package)",
      );
    }
    for (const part of this.#parts) part.opening?.();
    const protocols =
      this.token === undefined ? [] : [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${this.token}`];
    const connection: Connection = new Connection(
      WebSocket,
      url,
      {
        open: () => {
          if (this.connection !== connection || this.#phase.state !== "connecting") return;
          this.#stopConnectTimer();
          this.#phase = { state: "open", connection };
          this.#emitter.emit("open");
        },
        message: (data) => {
          if (this.connection !== connection) return;
          this.#lastHeard = Date.now();
          if (data !== HEARTBEAT_RESPONSE) this.#host.receive(data);
        },
        error: (cause) => {
          // A refused upgrade is reported with its status when the socket closes.
          if (this.connection !== connection || this.#phase.state === "closed") return;
          if (connection.refusal === undefined) {
            this.#emitter.fail(connectionError(url, cause));
          }
        },
        close: (code, reason) => {
          if (this.connection === connection) {
            this.#closed(url, code, reason, connection.refusal);
          }
        },
      },
      protocols,
    );
    this.#phase = { state: "connecting", connection };
    this.#startConnectTimer(connection);
  }

  /** A socket not open within `connectTimeout` is dropped: a failed attempt, closed with 1006. */
  #startConnectTimer(connection: Connection): void {
    this.#stopConnectTimer();
    const timeout = this.#options.connectTimeout;
    if (timeout <= 0) return;
    this.#connectTimer = setTimeout(() => {
      this.#connectTimer = undefined;
      if (this.connection !== connection || this.#phase.state !== "connecting") return;
      const reason = `the socket did not open within ${timeout} ms (connectTimeout)`;
      connection.detach();
      this.#emitter.fail(connectionError(connection.url, new Error(reason)));
      this.#closed(connection.url, 1006, reason);
    }, timeout);
  }

  #stopConnectTimer(): void {
    if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
  }

  /** The current connection ended with `code`: close for good, or schedule a reconnect. */
  #closed(url: string, code: number, reason: string, refusedWith?: Refusal): void {
    const phase = this.#phase;
    const byClose = phase.state === "closed";
    this.#report(this.#end());
    if (byClose) {
      this.#phase = { state: "closed", because: phase.because };
      this.#emitter.emit("close", { code, reason, reconnecting: false });
      return;
    }
    const refusedStatus = refusedWith?.status;
    const refused = refusedStatus !== undefined && FATAL_HTTP_STATUSES.has(refusedStatus);
    const refusal =
      refusedWith === undefined
        ? undefined
        : new UpgradeRefusedError(url, refusedWith.status, refused, refusedWith.reason);
    if (refusal !== undefined) this.#emitter.fail(refusal);
    const fatal = FATAL_CLOSE_CODES.has(code);
    if (!this.#reconnect || refused || fatal) {
      const fatalError = fatal ? new FatalCloseError(code, reason) : undefined;
      if (fatalError !== undefined) this.#emitter.fail(fatalError);
      this.#closeForGood(
        refused
          ? `the relay refused the upgrade with HTTP ${refusedStatus}`
          : fatal
            ? `the relay closed the socket with code ${code}`
            : "reconnect is off",
        refused ? refusal : fatalError,
      );
      this.#emitter.emit("close", { code, reason, reconnecting: false });
      return;
    }
    if (this.#attempt >= this.#options.maxRetries) {
      const exhausted = retriesExhausted(this.#attempt, code);
      this.#emitter.fail(exhausted);
      this.#closeForGood(`gave up after ${this.#attempt} reconnect attempt(s)`, exhausted);
      this.#emitter.emit("close", { code, reason, reconnecting: false });
      return;
    }
    const delay = backoffDelay(this.#attempt, this.#options.backoff);
    this.#attempt += 1;
    const target = this.#url ?? url;
    const timer = setTimeout(() => {
      if (this.#phase.state !== "reconnecting" || this.#phase.timer !== timer) return;
      try {
        this.#open(target);
      } catch (error) {
        this.#emitter.fail(connectionError(target, error));
        this.#closed(target, 1006, "the WebSocket could not be created");
      }
    }, delay);
    this.#phase = { state: "reconnecting", url: target, timer };
    this.#emitter.emit("close", { code, reason, reconnecting: true, delay });
  }

  /** Stops the heartbeat and the parts; returns what they report, to report after. */
  #end(): ClientError[] {
    this.#stopHeartbeat();
    this.#stopConnectTimer();
    const reports: ClientError[] = [];
    for (const part of this.#parts) {
      const report = part.ended?.();
      if (report !== undefined) reports.push(report);
    }
    return reports;
  }

  #report(reports: readonly ClientError[]): void {
    for (const report of reports) this.#emitter.fail(report);
  }

  /**
   * Enters `"closed"`: what waits to be sent never will be, so it is dropped (one
   * `CLIENT_CLOSED` error), as every frame written from now on will be. `error` is the final
   * refusal's (default: a `CLIENT_CLOSED` error saying `because`), for `ready()`.
   */
  #closeForGood(because: string, error?: ReadyError): number {
    const connection = this.#phase.state === "closed" ? this.#phase.connection : undefined;
    this.#phase = { state: "closed", because, ...(connection === undefined ? {} : { connection }) };
    const dropped = this.#host.discard(because);
    this.#host.closedForGood(
      error ??
        new WsComSrvError(
          ClientErrorCode.clientClosed,
          `the client was closed for good (${because})`,
        ),
    );
    return dropped;
  }

  /** Beats every interval; a connection that heard nothing for two intervals is dropped. */
  #startHeartbeat(connection: Connection): void {
    this.#stopHeartbeat();
    const interval = this.#options.heartbeatInterval;
    if (interval <= 0) return;
    this.#lastHeard = Date.now();
    this.#heartbeat = setInterval(() => {
      if (this.connection !== connection) return;
      if (Date.now() - this.#lastHeard < 2 * interval) {
        if (connection.isOpen) this.send(connection, HEARTBEAT_REQUEST);
        return;
      }
      this.#stopHeartbeat();
      connection.detach(CloseCode.heartbeatTimeout, "no answer to heartbeats");
      this.#closed(connection.url, CloseCode.heartbeatTimeout, "no answer to heartbeats");
    }, interval);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
