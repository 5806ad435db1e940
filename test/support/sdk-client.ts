/**
 * Helpers for the client tests: a recorder of a client's events that can wait for a condition
 * with a timeout, and a `ws` class that records what a client sends. The TCP proxy that cuts
 * and stalls connections is in `test/support/tcp-proxy.ts`.
 */

import WebSocket from "ws";
import {
  type ClientError,
  type ClientOptions,
  type CloseInfo,
  type Envelope,
  type IdentifiedInfo,
  type Logger,
  type RelayError,
  type UnconfirmedError,
  WebSocketClient,
  type WebSocketConstructor,
} from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";

const DEFAULT_TIMEOUT = 5_000;

/** Fast reconnects for tests: the first delay at most 20 ms, none longer than 200 ms. */
export const FAST: ClientOptions = { reconnectBaseDelay: 20, reconnectMaxDelay: 200 };

/** Everything a client reported, in order, and a way to wait for more. */
export class Recorder {
  readonly opens: number[] = [];
  readonly closes: CloseInfo[] = [];
  readonly errors: ClientError[] = [];
  readonly relayErrors: RelayError[] = [];
  readonly unconfirmed: UnconfirmedError[] = [];
  readonly identified: IdentifiedInfo[] = [];
  /** The client's `resumeSecret` after each identify, in step with {@link identified}. */
  readonly resumeSecrets: Array<string | undefined> = [];
  readonly messages: Envelope[] = [];
  readonly warnings: string[] = [];
  readonly #waiters = new Set<() => void>();

  /** A logger that records warnings (and errors) instead of printing them. */
  readonly logger: Logger = {
    warn: (...data) => {
      this.warnings.push(data.map(String).join(" "));
      this.wake();
    },
    error: (...data) => {
      this.warnings.push(data.map(String).join(" "));
      this.wake();
    },
  };

  /** Starts recording `client`'s events. */
  attach(client: WebSocketClient): void {
    client.on("open", () => this.#push(this.opens, Date.now()));
    client.on("close", (info) => this.#push(this.closes, info));
    client.on("error", (error) => this.#push(this.errors, error));
    client.on("relayError", (error) => this.#push(this.relayErrors, error));
    client.on("unconfirmed", (error) => this.#push(this.unconfirmed, error));
    client.on("identified", (info) => {
      this.resumeSecrets.push(client.resumeSecret);
      this.#push(this.identified, info);
    });
    client.on("message", (message) => this.#push(this.messages, message));
  }

  #push<T>(list: T[], item: T): void {
    list.push(item);
    this.wake();
  }

  /** Wakes every waiter (for conditions on state kept outside the recorder). */
  wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Resolves with `check()`'s first value that is not `undefined` or `false`. */
  until<T>(
    check: () => T | undefined | false,
    what: string,
    timeout = DEFAULT_TIMEOUT,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = (): void => {
        const value = check();
        if (value === undefined || value === false) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}`));
      }, timeout);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(attempt);
      };
      this.#waiters.add(attempt);
      attempt();
    });
  }

  /** Waits until `count` identifies have been recorded. */
  identifiedTimes(count: number, timeout?: number): Promise<IdentifiedInfo> {
    return this.until(
      () => this.identified.length >= count && this.identified[count - 1],
      `identify number ${count} (have ${this.identified.length})`,
      timeout,
    );
  }

  /** Waits for an error with `code`, counting from the `from`-th error. */
  error(code: string, from = 0, timeout?: number): Promise<ClientError> {
    return this.until(
      () => this.errors.slice(from).find((error) => error.code === code),
      `an error ${code} (have ${this.errors.map((e) => e.code).join(", ") || "none"})`,
      timeout,
    );
  }
}

/** A client of `room` on `server` with fast reconnects and a {@link Recorder} attached. */
export function client(
  server: SocketServer | string,
  room: string,
  name: string,
  options: ClientOptions = {},
): { client: WebSocketClient; events: Recorder } {
  const events = new Recorder();
  const base = typeof server === "string" ? server : server.wsAddress;
  const wsc = new WebSocketClient(name, {
    ...FAST,
    logger: events.logger,
    host: `${base}/${room}`,
    autoConnect: false,
    ...options,
  });
  events.attach(wsc);
  if (options.autoConnect !== false) wsc.connectToSocket();
  return { client: wsc, events };
}

/** A clock sample's `ping` as the client sends it (see `src/client/clock.ts`). */
const CLOCK_PING = /^\{"type":"cmd","data":\{"cmd":"ping","args":\[\],"kwargs":\{"token":"clock-/;

/**
 * A `ws` WebSocket class that records every frame sent and received, and every instance made.
 * The clock's pings, sent on their own timer, are recorded apart (`pings`), not in `sent`.
 */
export function recordingWebSocket(): {
  WebSocket: WebSocketConstructor;
  sockets: WebSocket[];
  sent: string[];
  pings: string[];
  received: string[];
} {
  const sockets: WebSocket[] = [];
  const sent: string[] = [];
  const pings: string[] = [];
  const received: string[] = [];
  class Recording extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
      const send = this.send.bind(this);
      Object.defineProperty(this, "send", {
        value: (data: string) => {
          (CLOCK_PING.test(data) ? pings : sent).push(data);
          send(data);
        },
      });
      this.on("message", (data) => received.push(String(data)));
    }
  }
  return { WebSocket: Recording, sockets, sent, pings, received };
}

/**
 * Hands `text` to the client that owns `socket` (a `ws` socket) as if the relay had sent it,
 * for a frame the relay under test does not send on its own. The client's answers go to the
 * relay as usual.
 */
export function deliver(socket: WebSocket, text: string): void {
  socket.emit("message", Buffer.from(text), false);
}

/**
 * Resolves once `check()` holds, looking again every few milliseconds, for state no event
 * announces (a count the relay's acks lower); fails after `timeout` ms.
 */
export async function eventually(
  check: () => boolean,
  what: string,
  timeout = DEFAULT_TIMEOUT,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
