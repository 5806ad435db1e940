/**
 * The seed's protocol as the bench speaks it: the routing of the two bare relays the relay is
 * measured against (the Node `ws` baseline and the Durable Object floor, which share it so
 * that they differ only in their runtime), and the parsing its seed-protocol client shares
 * with them. It runs in Node and in workerd (only {@link messageText} is Node's).
 *
 * The routing is the seed's and nothing more:
 * - On connect: the seed's handshake, `indentify` and `set_time` (the room's creation time).
 * - Until a socket identifies (`indentify` or `identify` to `"server"` with a `name`), any
 *   other frame gets the handshake again.
 * - A frame from an identified socket goes to the sockets whose names are in `target` (a
 *   string or a list; `"*"` is everyone else in the room), each once, with `from` set to the
 *   sender's name by `JSON.parse` and `JSON.stringify`. Frames to `"server"` go nowhere else.
 * - One addition to the seed: a client that asks for capabilities at identify gets an
 *   `identified` answer granting none, because the client SDK waits for it.
 *
 * It stays plain on purpose: no batching, no caching of serialised frames, no tricks.
 *
 * @module
 */

import type { RawData } from "ws";
import {
  Command,
  EVERYONE,
  FrameType,
  identified,
  identifyRequest,
  isJsonObject,
  type JsonObject,
  own,
  SERVER,
  setTime,
} from "wscomsrv-protocol";

/** A socket a bare relay sends text frames on. */
export interface SeedSocket {
  send(text: string): void;
}

/** One room of a bare relay. */
export interface SeedRoom<S extends SeedSocket> {
  /** Identified sockets by name. */
  readonly byName: Map<string, S>;
  /** The handshake, serialised: `indentify`, then `set_time`. */
  readonly handshake: readonly [string, string];
}

/** A new, empty room whose epoch is now. */
export function seedRoom<S extends SeedSocket>(): SeedRoom<S> {
  const time = Date.now() / 1000;
  return {
    byName: new Map(),
    handshake: [JSON.stringify(identifyRequest(false)), JSON.stringify(setTime(time))],
  };
}

/** The text of a message from Node's `ws`. */
export function messageText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

/** The JSON object in `text`, or `undefined` for bad JSON or anything but an object. */
export function parseFrame(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The command a frame carries, when it is a command. */
export function commandOf(frame: JsonObject): { cmd: string; kwargs: JsonObject } | undefined {
  const data = own(frame, "data");
  if (own(frame, "type") !== FrameType.command || !isJsonObject(data)) return undefined;
  const cmd = own(data, "cmd");
  const kwargs = own(data, "kwargs");
  if (typeof cmd !== "string") return undefined;
  return { cmd, kwargs: isJsonObject(kwargs) ? kwargs : {} };
}

function targetsOf(frame: JsonObject): string[] {
  const target = frame.target;
  if (typeof target === "string") return [target];
  if (Array.isArray(target)) return target.filter((item) => typeof item === "string");
  return [];
}

/** The name an identify to the server claims, and whether it asks for capabilities. */
function identifyOf(frame: JsonObject): { name: string; asks: boolean } | undefined {
  const command = commandOf(frame);
  if (command === undefined || !targetsOf(frame).includes(SERVER)) return undefined;
  if (command.cmd !== Command.identify && command.cmd !== Command.identifyAlias) return undefined;
  const name = own(command.kwargs, "name");
  const capabilities = own(command.kwargs, "capabilities");
  if (typeof name !== "string") return undefined;
  return { name, asks: Array.isArray(capabilities) && capabilities.length > 0 };
}

/**
 * Takes one frame from `ws` (`undefined`: not text), which is known as `name` once it has
 * identified; returns its name after the frame.
 */
export function takeFrame<S extends SeedSocket>(
  room: SeedRoom<S>,
  ws: S,
  name: string | undefined,
  text: string | undefined,
): string | undefined {
  const frame = text === undefined ? undefined : parseFrame(text);
  if (name === undefined) {
    const identify = frame === undefined ? undefined : identifyOf(frame);
    if (identify === undefined) {
      for (const line of room.handshake) ws.send(line);
      return undefined;
    }
    room.byName.set(identify.name, ws);
    if (identify.asks) {
      const answer = identified({ name: identify.name, capabilities: [], time: Date.now() / 1000 });
      ws.send(JSON.stringify(answer));
    }
    return identify.name;
  }
  if (frame === undefined) return name;
  const recipients = new Set<S>();
  for (const target of targetsOf(frame)) {
    if (target === EVERYONE) {
      for (const socket of room.byName.values()) if (socket !== ws) recipients.add(socket);
    } else if (target !== SERVER) {
      const socket = room.byName.get(target);
      if (socket !== undefined) recipients.add(socket);
    }
  }
  if (recipients.size === 0) return name;
  frame.from = name;
  const out = JSON.stringify(frame);
  for (const socket of recipients) socket.send(out);
  return name;
}

/** Frees `name` when `ws` still holds it (its socket closed). */
export function forget<S extends SeedSocket>(
  room: SeedRoom<S>,
  ws: S,
  name: string | undefined,
): void {
  if (name !== undefined && room.byName.get(name) === ws) room.byName.delete(name);
}
