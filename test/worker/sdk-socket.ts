/**
 * A WebSocket class for SDK clients inside workerd (the client's `WebSocket` option): the
 * constructor asks the Worker's own fetch handler for an upgrade, as `connect.ts` does, and
 * the accepted socket's events are passed on as the client's `WebSocketLike` wants them.
 */

import { exports } from "cloudflare:workers";
import type { WebSocketLike } from "../../src/client/transport.js";

type Listeners = {
  open: Array<() => void>;
  message: Array<(event: { data: unknown }) => void>;
  close: Array<(event: { code: number; reason: string }) => void>;
  error: Array<(event: unknown) => void>;
};

/**
 * A socket to the relay opened through `exports.default.fetch`; the URL's scheme is ignored
 * (`ws://relay.test/room` asks the Worker for `http://relay.test/room`).
 *
 * @example
 * ```ts
 * new WebSocketClient("A", { host: "ws://relay.test/my-room", WebSocket: WorkerSocket });
 * ```
 */
export class WorkerSocket implements WebSocketLike {
  #state = 0;
  #socket: WebSocket | undefined;
  /** A close asked for before the upgrade came back. */
  #closeAsked: { code?: number | undefined; reason?: string | undefined } | undefined;
  readonly #listeners: Listeners = { open: [], message: [], close: [], error: [] };

  constructor(url: string, protocols?: string | string[]) {
    const target = new URL(url);
    target.protocol = target.protocol === "wss:" ? "https:" : "http:";
    const headers: Record<string, string> = { upgrade: "websocket" };
    const offered = typeof protocols === "string" ? [protocols] : (protocols ?? []);
    if (offered.length > 0) headers["sec-websocket-protocol"] = offered.join(", ");
    exports.default.fetch(target.href, { headers }).then(
      (response) => this.#upgraded(response),
      (error: unknown) => this.#failed(error),
    );
  }

  get readyState(): number {
    return this.#state;
  }

  #upgraded(response: Response): void {
    const socket = response.webSocket;
    if (socket === null) {
      this.#failed(new Error(`no upgrade: ${response.status}`));
      return;
    }
    socket.accept();
    this.#socket = socket;
    socket.addEventListener("message", (event) => this.#emit("message", { data: event.data }));
    socket.addEventListener("error", (event) => this.#emit("error", event));
    socket.addEventListener("close", (event) => {
      this.#state = 3;
      this.#emit("close", { code: event.code, reason: event.reason });
    });
    if (this.#closeAsked !== undefined) {
      this.#state = 2;
      socket.close(this.#closeAsked.code, this.#closeAsked.reason);
      return;
    }
    this.#state = 1;
    this.#emit("open", undefined);
  }

  #failed(error: unknown): void {
    this.#state = 3;
    this.#emit("error", { error });
    this.#emit("close", { code: 1006, reason: "the upgrade failed" });
  }

  #emit<K extends keyof Listeners>(type: K, event: Parameters<Listeners[K][number]>[0]): void {
    for (const listener of [...this.#listeners[type]]) {
      (listener as (event: unknown) => void)(event);
    }
  }

  send(data: string): void {
    if (this.#socket === undefined || this.#state !== 1) {
      throw new Error(`WebSocket is not open: readyState ${this.#state}`);
    }
    this.#socket.send(data);
  }

  close(code?: number, reason?: string): void {
    if (this.#state >= 2) return;
    if (this.#socket === undefined) {
      this.#closeAsked = { code, reason };
      return;
    }
    this.#state = 2;
    this.#socket.close(code, reason);
  }

  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: "close",
    listener: (event: { code: number; reason: string }) => void,
  ): void;
  addEventListener(type: "error", listener: (event: unknown) => void): void;
  addEventListener(type: keyof Listeners, listener: (event: never) => void): void {
    (this.#listeners[type] as Array<(event: never) => void>).push(listener);
  }
}
