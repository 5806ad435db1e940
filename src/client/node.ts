/**
 * The client for Node (>= 20): the same API as the browser build, with the `ws` package as
 * the default WebSocket. Pass `WebSocket: globalThis.WebSocket` to use Node 22's own instead.
 *
 * @example
 * ```ts
 * import { WebSocketClient } from "wscomsrv-client";
 *
 * const wsc = new WebSocketClient("Player1", { host: "ws://127.0.0.1:8888" });
 * ```
 *
 * @module
 */

import NodeWebSocket from "ws";
import { WebSocketClient as BaseClient } from "./client.js";
import type { ClientOptions } from "./options.js";

export * from "./index.js";

/**
 * {@link BaseClient | WebSocketClient} with `ws` as the default `WebSocket` option.
 *
 * @example
 * ```ts
 * const wsc = new WebSocketClient("Player1", { host: "ws://127.0.0.1:8888" });
 * ```
 */
export class WebSocketClient extends BaseClient {
  /** See {@link BaseClient}; `options.WebSocket` defaults to the `ws` package. */
  constructor(name: string, options: ClientOptions = {}) {
    super(name, { ...options, WebSocket: options.WebSocket ?? NodeWebSocket });
  }
}
