/**
 * The WebSocket the client drives: the few members it uses, so that the browser's WebSocket,
 * Node 22's global one and the `ws` package all fit, and a test or an app can inject its own.
 *
 * @module
 */

/**
 * `readyState` of an open WebSocket.
 *
 * @example
 * ```ts
 * if (socket.readyState === OPEN) socket.send(text);
 * ```
 */
export const OPEN = 1;

/** `readyState` of a WebSocket still connecting. */
const CONNECTING = 0;

/**
 * How long a socket that failed while connecting may take to report its close before the
 * connection reports it itself: Node 22's global WebSocket reports only the error.
 */
const CLOSE_GRACE_MS = 1_000;

/**
 * The parts of a WebSocket the client uses (the browser's, Node's and `ws` all have them).
 *
 * @example
 * ```ts
 * const socket: WebSocketLike = new WebSocket("ws://127.0.0.1:8888");
 * ```
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Sends one text frame. */
  send(data: string): void;
  /** Starts the close handshake. */
  close(code?: number, reason?: string): void;
  /** Listens for the socket's events. */
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: "close",
    listener: (event: { code: number; reason: string }) => void,
  ): void;
  addEventListener(type: "error", listener: (event: unknown) => void): void;
  /**
   * `ws` only (Node): the relay answered the upgrade with an HTTP status instead of 101.
   * Browsers and Node's global WebSocket have no such event: they never show the status.
   */
  on?(
    event: "unexpected-response",
    listener: (request: unknown, response: { statusCode?: number | undefined }) => void,
  ): unknown;
  /** `ws` only: drops the connection at once (used to end a refused upgrade). */
  terminate?(): void;
}

/**
 * A WebSocket class: `new WebSocket(url, protocols?)`. The browser's `WebSocket`, Node 22's
 * `globalThis.WebSocket` and the default export of `ws` all fit.
 *
 * @example
 * ```ts
 * import WebSocket from "ws";
 * const impl: WebSocketConstructor = WebSocket;
 * new WebSocketClient("Node", { WebSocket: impl });
 * ```
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/**
 * What a connection reports, already bound to one socket.
 *
 * @example
 * ```ts
 * new Connection(WebSocket, url, {
 *   open: () => {},
 *   message: (data) => console.log(data),
 *   error: (cause) => console.warn(cause),
 *   close: (code) => console.log(code),
 * });
 * ```
 */
export interface SocketEvents {
  /** The socket opened. */
  open(): void;
  /** A frame arrived: a string for a text frame, something else for a binary one. */
  message(data: unknown): void;
  /** The socket reported an error. */
  error(cause: unknown): void;
  /** The socket closed. */
  close(code: number, reason: string): void;
}

/**
 * Opens a socket and forwards its events to `events` until {@link Connection.detach} is
 * called; after that the old socket's events are ignored, so a replaced or abandoned socket
 * can never act on the client.
 *
 * @example
 * ```ts
 * const connection = new Connection(WebSocket, "ws://127.0.0.1:8888", events);
 * connection.detach(); // its events are ignored from now on
 * ```
 */
export class Connection {
  /** The socket. */
  readonly socket: WebSocketLike;
  /** The address it was opened to. */
  readonly url: string;
  #events: SocketEvents | undefined;
  #refusedStatus: number | undefined;

  /**
   * Opens a socket to `url`, offering `protocols` when there are any; throws what the
   * WebSocket constructor throws (a bad URL).
   */
  constructor(
    WebSocket: WebSocketConstructor,
    url: string,
    events: SocketEvents,
    protocols: readonly string[] = [],
  ) {
    this.url = url;
    this.#events = events;
    this.socket = protocols.length > 0 ? new WebSocket(url, [...protocols]) : new WebSocket(url);
    this.socket.addEventListener("open", () => this.#events?.open());
    this.socket.addEventListener("message", (event) => this.#events?.message(event.data));
    this.socket.addEventListener("error", (event) => {
      this.#events?.error(errorOf(event));
      if (this.socket.readyState === CONNECTING) {
        setTimeout(() => this.#closed(1006, "the connection failed"), CLOSE_GRACE_MS);
      }
    });
    this.socket.addEventListener("close", (event) => this.#closed(event.code, event.reason));
    // With a listener, `ws` leaves ending the refused handshake to it; error and close follow.
    this.socket.on?.("unexpected-response", (_request, response) => {
      this.#refusedStatus = response.statusCode ?? 0;
      try {
        if (this.socket.terminate !== undefined) this.socket.terminate();
        else this.socket.close();
      } catch {
        // Closing already.
      }
    });
  }

  /**
   * The HTTP status the relay refused the upgrade with, when the WebSocket implementation
   * shows it (`ws` does; browsers do not). `undefined` otherwise.
   */
  get refusedStatus(): number | undefined {
    return this.#refusedStatus;
  }

  /** Reports the close once, whoever noticed it first. */
  #closed(code: number, reason: string): void {
    const events = this.#events;
    if (events === undefined) return;
    this.#events = undefined;
    if (this.socket.readyState === CONNECTING) {
      try {
        this.socket.close();
      } catch {
        // Some implementations refuse close() while connecting; the socket is abandoned.
      }
    }
    events.close(code, reason);
  }

  /** True while the socket is open. */
  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  /** Stops forwarding events and closes the socket, ignoring a socket that is already closed. */
  detach(code = 1000, reason = ""): void {
    this.#events = undefined;
    try {
      this.socket.close(code, reason);
    } catch {
      // Closed already, or closing before it opened: nothing more to do.
    }
  }
}

/** The error an error event carries (`ws` and Node put it in `error`), or the event itself. */
function errorOf(event: unknown): unknown {
  if (typeof event === "object" && event !== null && "error" in event && event.error) {
    return event.error;
  }
  return event;
}

/**
 * The runtime's own WebSocket class (browsers, Deno, Workers, Node >= 22), if it has one.
 *
 * @example
 * ```ts
 * const WebSocket = globalWebSocket(); // undefined on Node 20
 * ```
 */
export function globalWebSocket(): WebSocketConstructor | undefined {
  return typeof globalThis.WebSocket === "function" ? globalThis.WebSocket : undefined;
}
