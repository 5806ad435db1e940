/**
 * Sockets to the relay from inside workerd, through the Worker's own fetch handler.
 */

import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { cmd, Inbox } from "../support/inbox.js";
import { commandOf, identifyAs } from "../support/session.js";

/** A room name no other test uses. */
export function freshRoom(): string {
  return `w-${crypto.randomUUID()}`;
}

/** Asks the Worker for an upgrade to `path` (a room, maybe with a query) with extra headers. */
export function upgrade(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`http://relay.test/${path}`, {
    headers: { upgrade: "websocket", ...headers },
  });
}

/** Opens a WebSocket to `path` (a room, maybe with a query) through the Worker. */
export async function open(path: string, headers: Record<string, string> = {}): Promise<Inbox> {
  const response = await upgrade(path, headers);
  const socket = response.webSocket;
  if (socket === null) throw new Error(`no upgrade: ${response.status} ${await response.text()}`);
  socket.accept();
  return new Inbox(socket);
}

/** Opens a socket to `room` and identifies as `name`. */
export async function join(
  room: string,
  name: string,
  kwargs: Record<string, unknown> = {},
): Promise<Inbox> {
  return identifyAs(await open(room), name, kwargs);
}

/** The Durable Object stub of a room. */
export function roomStub(room: string) {
  return env.ROOMS.getByName(room);
}

/** Capabilities that turn on every extension frame. */
export const ALL_EXTENSIONS = { capabilities: ["errors", "undelivered"] };

/**
 * Fills `room` with `count` identified seed clients named `${prefix}0`, `${prefix}1`…, a few
 * hundred at a time (the room takes at most 256 unidentified sockets at once).
 */
export async function crowd(room: string, prefix: string, count: number): Promise<Inbox[]> {
  const inboxes: Inbox[] = [];
  for (let start = 0; start < count; start += 200) {
    const names = Array.from(
      { length: Math.min(200, count - start) },
      (_, i) => `${prefix}${start + i}`,
    );
    inboxes.push(...(await Promise.all(names.map((name) => join(room, name)))));
  }
  return inboxes;
}

/** What a test reads of the relay's `identified` answer. */
export interface Identified {
  capabilities: string[];
  resume?: string;
  mail?: { window: number; confirmed: number; next: number; missed: number };
  roster?: { members: Array<{ name: string; state: string; since: number }>; next?: string };
}

/**
 * Opens a socket to `room`, identifies as `name` with `kwargs` (capabilities among them) and
 * returns the socket and the kwargs of the relay's `identified`.
 */
export async function identifyFresh(
  room: string,
  name: string,
  kwargs: Record<string, unknown>,
): Promise<{ inbox: Inbox; identified: Identified }> {
  const inbox = await open(room);
  await inbox.take(2);
  inbox.send(cmd("indentify", { name, ...kwargs }, "server", name));
  const ack = await inbox.next();
  expect(commandOf(ack)).toBe("identified");
  inbox.answerProbesAs = name;
  return { inbox, identified: (ack.data as { kwargs: Identified }).kwargs };
}
