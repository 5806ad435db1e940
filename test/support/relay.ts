/**
 * Node-side test helpers: a relay on a free port, and `ws` clients with an {@link Inbox}.
 */

import { afterAll, beforeAll } from "vitest";
import WebSocket from "ws";
import { SocketServer, type SocketServerOptions } from "../../src/server/index.js";
import { Inbox } from "./inbox.js";
import { identifyAs } from "./session.js";

/** Starts a relay on a free port of 127.0.0.1. */
export function startRelay(options: SocketServerOptions = {}): Promise<SocketServer> {
  return SocketServer.start({ port: 0, ...options });
}

/**
 * One relay on a free port for the tests of a file: started before the first, closed after
 * the last. The returned function gives it.
 */
export function relayForFile(options: SocketServerOptions = {}): () => SocketServer {
  let server: SocketServer | undefined;
  beforeAll(async () => {
    server = await startRelay(options);
  });
  afterAll(() => server?.close());
  return () => {
    if (server === undefined) throw new Error("the relay is not started yet");
    return server;
  };
}

/** A room name no other test uses. */
export function freshRoom(): string {
  return `t-${crypto.randomUUID()}`;
}

/** Opens a `ws` socket to `room` and resolves once it is open. */
export async function open(server: SocketServer, room: string): Promise<Inbox> {
  const socket = new WebSocket(`${server.wsAddress}/${room}`);
  const inbox = new Inbox(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return inbox;
}

/** Opens a socket to `room` and identifies as `name` (see {@link identifyAs}). */
export async function join(
  server: SocketServer,
  room: string,
  name: string,
  kwargs: Record<string, unknown> = {},
): Promise<Inbox> {
  return identifyAs(await open(server, room), name, kwargs);
}
