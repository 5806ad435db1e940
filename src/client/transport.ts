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

/** The most bytes of a refused upgrade's body the client reads for the relay's reason. */
export const MAX_REFUSAL_REASON_BYTES = 500;

/** How long the client waits for a refused upgrade's body before it ends the attempt without it. */
const REFUSAL_BODY_TIMEOUT_MS = 1_000;

/**
 * `ws` only: the HTTP response of a refused upgrade (Node's `http.IncomingMessage`), as far
 * as the client reads it: the status, and the body for the relay's reason.
 *
 * @example
 * ```ts
 * socket.on?.("unexpected-response", (_request, response: RefusedResponse) => {
 *   console.log(response.statusCode);
 * });
 * ```
 */
export interface RefusedResponse {
  /** The HTTP status. */
  statusCode?: number | undefined;
  /** Listens for the body's chunks (`Buffer`s), its end and its failure. */
  on?(event: "data" | "end" | "error" | "close", listener: (chunk?: unknown) => void): unknown;
  /** Stops reading the body and frees the connection. */
  destroy?(): unknown;
}

/** How the relay refused an upgrade: the HTTP status and, when it said one, its reason. */
export interface Refusal {
  /** The HTTP status (0 when the response had none). */
  readonly status: number;
  /** The relay's reason: the body's first bytes as text, or its JSON error's message. */
  readonly reason: string | undefined;
}

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
    listener: (request: unknown, response: RefusedResponse) => void,
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
  #refusal: Refusal | undefined;

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
    // With a listener, `ws` leaves ending the refused handshake to it: the client reads the
    // relay's reason from the body first (bounded in size and time); error and close follow.
    this.socket.on?.("unexpected-response", (_request, response) => {
      const status = response.statusCode ?? 0;
      this.#refusal = { status, reason: undefined };
      readRefusalReason(response, (reason) => {
        this.#refusal = { status, reason };
        try {
          if (this.socket.terminate !== undefined) this.socket.terminate();
          else this.socket.close();
        } catch {
          // Closing already.
        }
      });
    });
  }

  /**
   * How the relay refused the upgrade: its status (when the WebSocket implementation shows
   * it: `ws` does, browsers do not) and, once the client has read the body, its reason.
   * `undefined` when the upgrade was not refused, or the implementation hides the response.
   */
  get refusal(): Refusal | undefined {
    return this.#refusal;
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

/**
 * Reads the body of a refused upgrade, at most {@link MAX_REFUSAL_REASON_BYTES} and for at
 * most {@link REFUSAL_BODY_TIMEOUT_MS}, then stops reading and calls `done` once with the
 * relay's reason ({@link refusalReason}), or `undefined` when there was none.
 */
function readRefusalReason(
  response: RefusedResponse,
  done: (reason: string | undefined) => void,
): void {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    let reason: string | undefined;
    try {
      response.destroy?.();
      reason = refusalReason(joinBytes(chunks, MAX_REFUSAL_REASON_BYTES));
    } catch {
      // A body the client cannot read leaves the refusal without a reason; it still ends.
    }
    done(reason);
  };
  const timer = setTimeout(finish, REFUSAL_BODY_TIMEOUT_MS);
  if (response.on === undefined) {
    finish();
    return;
  }
  response.on("data", (chunk) => {
    if (finished) return;
    const bytes =
      chunk instanceof Uint8Array
        ? chunk
        : typeof chunk === "string"
          ? new TextEncoder().encode(chunk)
          : undefined;
    if (bytes === undefined) return;
    chunks.push(bytes);
    size += bytes.length;
    if (size >= MAX_REFUSAL_REASON_BYTES) finish();
  });
  for (const event of ["end", "error", "close"] as const) response.on(event, finish);
}

/** The first `max` bytes of `chunks`, in one array. */
function joinBytes(chunks: readonly Uint8Array[], max: number): Uint8Array {
  const total = Math.min(
    max,
    chunks.reduce((sum, chunk) => sum + chunk.length, 0),
  );
  const joined = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    if (at >= total) break;
    const part = chunk.subarray(0, total - at);
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

/**
 * The relay's reason in the first bytes of a refused upgrade's body: decoded as UTF-8 (a
 * character cut off at the end is dropped, bad bytes become U+FFFD), control characters
 * replaced by spaces, trimmed; for a JSON error (`{"message": ...}` or
 * `{"error": {"message": ...}}` or `{"error": "..."}`), its message. `undefined` for an empty body.
 *
 * @example
 * ```ts
 * refusalReason(new TextEncoder().encode("bad room name: too long\n")); // "bad room name: too long"
 * ```
 */
export function refusalReason(bytes: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(bytes, { stream: true });
  const reason = (jsonMessage(text) ?? text).replace(/\p{Cc}+/gu, " ").trim();
  return reason === "" ? undefined : reason;
}

/** The message of a JSON error body, if `text` is one. */
function jsonMessage(text: string): string | undefined {
  if (!text.trimStart().startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const message = "message" in value ? value.message : undefined;
  if (typeof message === "string") return message;
  const error = "error" in value ? value.error : undefined;
  if (typeof error === "string") return error;
  if (typeof error === "object" && error !== null && "message" in error) {
    return typeof error.message === "string" ? error.message : undefined;
  }
  return undefined;
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
