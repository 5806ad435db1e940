/**
 * Node-side test helpers: a relay on a free port, and `ws` clients with an {@link Inbox}.
 */

import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { SocketServer, type SocketServerOptions } from "../../src/server/index.js";
import { cmd, type Frame, Inbox } from "./inbox.js";

/** Starts a relay on a free port of 127.0.0.1. */
export function startRelay(options: SocketServerOptions = {}): Promise<SocketServer> {
  return SocketServer.start({ port: 0, ...options });
}

/** A room name no other test uses. */
export function freshRoom(): string {
  return `t-${randomUUID()}`;
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

/**
 * Opens a socket, reads the handshake, identifies as `name` (with extra identify kwargs) and,
 * when capabilities were asked for, waits for the relay's `identified` answer.
 */
export async function join(
  server: SocketServer,
  room: string,
  name: string,
  kwargs: Record<string, unknown> = {},
): Promise<Inbox> {
  const inbox = await open(server, room);
  await inbox.take(2);
  inbox.send(cmd("indentify", { name, ...kwargs }, "server", name));
  if (Array.isArray(kwargs.capabilities) && kwargs.capabilities.length > 0) {
    const ack: Frame = await inbox.next();
    if ((ack.data as { cmd?: unknown }).cmd !== "identified") {
      throw new Error(`expected "identified", got ${JSON.stringify(ack)}`);
    }
  } else {
    await sync(inbox, name);
  }
  return inbox;
}

/**
 * Waits until the relay has handled everything `inbox` sent so far: sends a `ping` to the
 * relay and waits for the `pong`, returning the frames that came before it.
 */
export async function sync(inbox: Inbox, name: string): Promise<Frame[]> {
  const token = randomUUID();
  inbox.send(cmd("ping", { token }, "server", name));
  const before: Frame[] = [];
  for (;;) {
    const frame = await inbox.next();
    const data = frame.data as { cmd?: unknown; kwargs?: { token?: unknown } } | undefined;
    if (frame.from === "server" && data?.cmd === "pong" && data.kwargs?.token === token) {
      return before;
    }
    before.push(frame);
  }
}
