/**
 * The floor: the seed's routing (`seed.ts`) in a bare Durable Object on the relay's own
 * runtime, to show how far the relay is from what workerd itself costs. One object per room
 * (the URL's path), the hibernation API (`ctx.acceptWebSocket`, `webSocketMessage`), each
 * socket's name in its attachment so that the room's map of names survives hibernation.
 * Nothing else: no limits, no validation beyond the seed's, no batching.
 *
 * Compression is off as it is on the relay (unless asked for there): answering an upgrade
 * with an extension no client offers leaves `permessage-deflate` out, which the bench checks
 * and reports (`negotiated`).
 *
 * `scripts/build-bench.js` bundles it into `dist/bench/floor-worker.js`; the bench runs it
 * with the embedded server (`relay-process.ts --script`), so that Miniflare, workerd, the
 * compatibility date and the sockets are the relay's. It therefore keeps the names the
 * embedded server binds: the class `Room` behind the binding `ROOMS`. It is typed with the
 * few runtime interfaces it uses, as the bench is type-checked for Node.
 *
 * @module
 */

import { isJsonObject } from "wscomsrv-protocol";
import { forget, type SeedRoom, seedRoom, takeFrame } from "./seed.js";

/** What the floor uses of a WebSocket in workerd. */
interface Socket {
  send(text: string): void;
  close(code: number, reason: string): void;
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
}

/** What the floor uses of its Durable Object state. */
interface State {
  acceptWebSocket(ws: Socket): void;
  getWebSockets(): Socket[];
}

interface Env {
  ROOMS: {
    idFromName(name: string): unknown;
    get(id: unknown): { fetch(request: Request): Promise<Response> };
  };
}

declare const WebSocketPair: new () => { 0: Socket; 1: Socket };

/** An extension no client offers: the answer that leaves compression off. */
const NO_EXTENSIONS = "bench-none";

/** The name in a socket's attachment, decoded. */
function attachedName(ws: Socket): string | undefined {
  const attachment = ws.deserializeAttachment();
  if (!isJsonObject(attachment)) return undefined;
  return typeof attachment.name === "string" ? attachment.name : undefined;
}

/** One room: a bare Durable Object relay. */
export class Room {
  readonly #state: State;
  readonly #room: SeedRoom<Socket> = seedRoom();
  /** Each identified socket's name, rebuilt from the attachments after hibernation. */
  readonly #names = new Map<Socket, string>();

  constructor(state: State) {
    this.#state = state;
    for (const ws of state.getWebSockets()) {
      const name = attachedName(ws);
      if (name === undefined) continue;
      this.#names.set(ws, name);
      this.#room.byName.set(name, ws);
    }
  }

  /** Accepts a WebSocket upgrade and sends the handshake. */
  fetch(_request: Request): Response {
    const pair = new WebSocketPair();
    this.#state.acceptWebSocket(pair[1]);
    for (const line of this.#room.handshake) pair[1].send(line);
    const init: ResponseInit & { webSocket: Socket } = {
      status: 101,
      webSocket: pair[0],
      headers: { "sec-websocket-extensions": NO_EXTENSIONS },
    };
    return new Response(null, init);
  }

  /** Routes one frame; an identify names the socket, in memory and in its attachment. */
  webSocketMessage(ws: Socket, message: string | ArrayBuffer): void {
    const before = this.#names.get(ws);
    const after = takeFrame(
      this.#room,
      ws,
      before,
      typeof message === "string" ? message : undefined,
    );
    if (before === undefined && after !== undefined) {
      this.#names.set(ws, after);
      ws.serializeAttachment({ name: after });
    }
  }

  /** Frees the name and answers the close. */
  webSocketClose(ws: Socket, code: number): void {
    this.#drop(ws);
    if (code === 1005 || code === 1006) return; // No close frame to answer.
    try {
      ws.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, "");
    } catch {
      // Closed already.
    }
  }

  /** Frees the name of a socket that failed. */
  webSocketError(ws: Socket): void {
    this.#drop(ws);
  }

  #drop(ws: Socket): void {
    forget(this.#room, ws, this.#names.get(ws));
    this.#names.delete(ws);
  }
}

/** The front door: every WebSocket upgrade goes to the object of its path. */
export default {
  fetch(request: Request, env: Env): Promise<Response> | Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("WebSocket upgrades only", { status: 426 });
    }
    const path = new URL(request.url).pathname;
    return env.ROOMS.get(env.ROOMS.idFromName(path)).fetch(request);
  },
};
