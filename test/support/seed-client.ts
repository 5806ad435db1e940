/**
 * A client that behaves as the seed's Python client does on the wire: it answers every
 * `indentify` with its identify, and on a close waits about a second and reconnects, unless
 * the connection closed within its first second, after which it gives up on the host for good.
 */

import WebSocket from "ws";
import { cmd, type Frame } from "./inbox.js";

/** One connection the seed client made, and how it ended. */
export interface SeedConnection {
  openedAt: number;
  closedAt: number | undefined;
  code: number | undefined;
}

/** A seed-protocol client with the seed's reconnect rule. */
export class SeedClient {
  readonly name: string;
  readonly url: string;
  /** Frames received that are not the relay's handshake, in order, over all connections. */
  readonly frames: Frame[] = [];
  /** Every connection, oldest first. */
  readonly connections: SeedConnection[] = [];
  /** True once the client gave up on the host (a connection closed within its first second). */
  gaveUp = false;
  #socket: WebSocket | undefined;
  #stopped = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  readonly #waiters = new Set<() => void>();

  readonly #retryAfterMs: number;

  /**
   * Connects to `url` as `name`. `retryAfterMs` is the wait before the one retry: the seed's
   * second by default; a test that restarts the relay under load may give it more.
   */
  constructor(url: string, name: string, retryAfterMs = 1_000) {
    this.url = url;
    this.name = name;
    this.#retryAfterMs = retryAfterMs;
    this.#connect();
  }

  #connect(): void {
    const socket = new WebSocket(this.url);
    this.#socket = socket;
    const connection: SeedConnection = {
      openedAt: Date.now(),
      closedAt: undefined,
      code: undefined,
    };
    socket.on("open", () => {
      connection.openedAt = Date.now();
      this.connections.push(connection);
      this.#wake();
    });
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      const command = (frame.data as { cmd?: unknown } | undefined)?.cmd;
      if (frame.from === "server" && command === "indentify") {
        socket.send(JSON.stringify(cmd("indentify", { name: this.name }, "server", this.name)));
      } else if (!(frame.from === "server" && command === "set_time")) {
        this.frames.push(frame);
      }
      this.#wake();
    });
    socket.on("error", () => {});
    socket.on("close", (code) => {
      connection.closedAt = Date.now();
      connection.code = code;
      this.#wake();
      if (this.#stopped) return;
      if (connection.closedAt - connection.openedAt < 1_000) {
        this.gaveUp = true;
        return;
      }
      this.#retry = setTimeout(() => this.#connect(), this.#retryAfterMs);
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Sends a frame on the current connection. */
  send(frame: Frame): void {
    this.#socket?.send(JSON.stringify(frame));
  }

  /** Waits until `ready` holds, failing after `timeout` ms. */
  until(ready: () => boolean, what: string, timeout = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ready()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`${this.name}: timed out after ${timeout} ms waiting for ${what}`));
      }, timeout);
      this.#waiters.add(check);
      check();
    });
  }

  /** Stops reconnecting and closes. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#socket?.close();
  }
}
