/**
 * Helpers for the client tests on Node: SDK clients of a local relay with a {@link Recorder}
 * attached, and a `ws` class that records what a client sends. The recorder itself (usable
 * inside workerd too) is in `test/support/recorder.ts`; the TCP proxy that cuts and stalls
 * connections is in `test/support/tcp-proxy.ts`.
 */

import WebSocket from "ws";
import {
  type ClientOptions,
  WebSocketClient,
  type WebSocketConstructor,
} from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { FAST, Recorder } from "./recorder.js";

export { eventually, FAST, Recorder } from "./recorder.js";

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
 * The capabilities the SDK asks for by default, spelled out here (not imported), so that a
 * test of the wire fails when the default changes.
 */
export const SDK_DEFAULT_CAPABILITIES: readonly string[] = [
  "errors",
  "undelivered",
  "resume",
  "heartbeat",
  "batch",
  "acks",
  "calls",
  "delivery",
  "receipts",
  "presence",
  "stamps",
];
