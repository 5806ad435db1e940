/**
 * The Room Durable Object: one per room name. A thin class the runtime needs; the work is
 * done by plain functions (`handleFrame`, `identify`, `route`).
 *
 * @module
 */

import { DurableObject } from "cloudflare:workers";
import { CloseCode, DEFAULT_LIMITS } from "../protocol/index.js";
import { Connections } from "./connections.js";
import { close, handshakeFrames, type RoomContext, sendHandshake } from "./context.js";
import type { Env } from "./env.js";
import { loadEpoch, loadRoomName } from "./epoch.js";
import { handleFrame } from "./frames.js";
import { ROOM_HEADER } from "./http.js";
import { logEvent } from "./log.js";

/** One room: its sockets, their names, and its epoch. Hibernates when idle. */
export class Room extends DurableObject<Env> {
  readonly #room: RoomContext<WebSocket> & { name: string };

  /** Loads the epoch and rebuilds the name map from the sockets that survived hibernation. */
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const password = env.ROOM_PASSWORD ? env.ROOM_PASSWORD : undefined;
    const epoch = loadEpoch(ctx.storage.kv);
    this.#room = {
      name: loadRoomName(ctx.storage.kv, null),
      epoch,
      password,
      limits: DEFAULT_LIMITS,
      connections: new Connections(ctx.getWebSockets()),
      handshake: handshakeFrames(password !== undefined, epoch),
    };
  }

  /** Accepts a WebSocket upgrade (the Worker has checked the room name and the upgrade). */
  override async fetch(request: Request): Promise<Response> {
    if (this.#room.name === "?")
      this.#room.name = loadRoomName(this.ctx.storage.kv, request.headers.get(ROOM_HEADER));
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    this.#room.connections.add(server);
    sendHandshake(this.#room, server);
    logEvent(this.#room.name, "connect");
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Hands every frame to {@link handleFrame}; an exception closes only that socket. */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    try {
      handleFrame(this.#room, ws, message);
    } catch (error) {
      console.error(`room ${this.#room.name}: frame handler failed`, error);
      close(ws, CloseCode.internalError, "internal error");
    }
  }

  /** Frees the name of a socket that closed and completes the close handshake. */
  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    const session = this.#room.connections.remove(ws);
    logEvent(this.#room.name, "close", { name: session?.name, code });
    close(
      ws,
      code === CloseCode.normal || (code >= 3000 && code <= 4999) ? code : CloseCode.normal,
      "",
    );
  }

  /** Frees the name of a socket that failed. */
  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    const session = this.#room.connections.remove(ws);
    logEvent(this.#room.name, "error", { name: session?.name, message: String(error) });
  }
}
