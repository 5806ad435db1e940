/**
 * The baseline: a minimal relay on Node's `ws` with the seed's name routing, nothing more.
 * It is what the relay is compared with, so it stays plain: no batching, no caching of
 * serialised frames, no tricks.
 *
 * - On connect: the seed's handshake, `indentify` and `set_time` (the room's creation time).
 * - Until a socket identifies (`indentify` or `identify` to `"server"` with a `name`), any
 *   other frame gets the handshake again.
 * - A frame from an identified socket goes to the sockets whose names are in `target` (a
 *   string or a list; `"*"` is everyone else in the room), each once, with `from` set to the
 *   sender's name by `JSON.parse` and `JSON.stringify`. Frames to `"server"` go nowhere else.
 * - Rooms are the URL's path, as with the relay.
 * - One addition to the seed: a client that asks for capabilities at identify gets an
 *   `identified` answer granting none, because the client SDK waits for it.
 *
 * `node dist/bench/baseline-relay.js --port 0` prints `listening ws://127.0.0.1:PORT` and runs
 * until SIGTERM, SIGINT, or its stdin closes.
 *
 * @module
 */

import { type WebSocket, WebSocketServer } from "ws";
import { announce, serverArgs, stopWhenAsked } from "./child-lifecycle.js";
import { isRecord, messageText, parseObject } from "./json-object.js";

interface Room {
  readonly byName: Map<string, WebSocket>;
  readonly handshake: readonly [string, string];
}

const SERVER = "server";
const EVERYONE = "*";

const rooms = new Map<string, Room>();

function roomFor(path: string): Room {
  let room = rooms.get(path);
  if (room === undefined) {
    const time = Date.now() / 1000;
    room = {
      byName: new Map(),
      handshake: [
        command("indentify", { requires_password: false }, [SERVER]),
        command("set_time", { time }, [SERVER]),
      ],
    };
    rooms.set(path, room);
  }
  return room;
}

function command(cmd: string, kwargs: object, target: string[]): string {
  return JSON.stringify({ type: "cmd", data: { cmd, args: [], kwargs }, from: SERVER, target });
}

function targetsOf(frame: Record<string, unknown>): string[] {
  const target = frame.target;
  if (typeof target === "string") return [target];
  if (Array.isArray(target)) return target.filter((item) => typeof item === "string");
  return [];
}

/** The identify's kwargs, when `frame` is an identify command to the server. */
function identifyKwargs(frame: Record<string, unknown>): Record<string, unknown> | undefined {
  const data = frame.data;
  if (frame.type !== "cmd" || !isRecord(data) || !targetsOf(frame).includes(SERVER)) return;
  if (data.cmd !== "indentify" && data.cmd !== "identify") return;
  return isRecord(data.kwargs) ? data.kwargs : undefined;
}

function accept(ws: WebSocket, path: string): void {
  const room = roomFor(path);
  let name: string | undefined;
  const sendHandshake = (): void => {
    ws.send(room.handshake[0]);
    ws.send(room.handshake[1]);
  };
  sendHandshake();
  ws.on("message", (data, isBinary) => {
    const frame = isBinary ? undefined : parseObject(messageText(data));
    if (name === undefined) {
      const kwargs = frame === undefined ? undefined : identifyKwargs(frame);
      if (kwargs === undefined || typeof kwargs.name !== "string") {
        sendHandshake();
        return;
      }
      name = kwargs.name;
      room.byName.set(name, ws);
      if (Array.isArray(kwargs.capabilities) && kwargs.capabilities.length > 0) {
        const time = Date.now() / 1000;
        ws.send(command("identified", { name, capabilities: [], time }, [name]));
      }
      return;
    }
    if (frame === undefined) return;
    const recipients = new Set<WebSocket>();
    for (const target of targetsOf(frame)) {
      if (target === EVERYONE) {
        for (const socket of room.byName.values()) if (socket !== ws) recipients.add(socket);
      } else if (target !== SERVER) {
        const socket = room.byName.get(target);
        if (socket !== undefined) recipients.add(socket);
      }
    }
    if (recipients.size === 0) return;
    frame.from = name;
    const out = JSON.stringify(frame);
    for (const socket of recipients) socket.send(out);
  });
  ws.on("close", () => {
    if (name !== undefined && room.byName.get(name) === ws) room.byName.delete(name);
  });
}

const { port } = serverArgs(process.argv.slice(2));
const server = new WebSocketServer({ host: "127.0.0.1", port });
server.on("connection", (ws, request) =>
  accept(ws, new URL(request.url ?? "/", "ws://x").pathname),
);
await new Promise<void>((resolve, reject) => {
  server.once("listening", resolve);
  server.once("error", reject);
});
const address = server.address();
if (typeof address !== "object" || address === null) throw new Error("not listening");
stopWhenAsked(
  () =>
    new Promise<void>((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    }),
);
announce(`ws://127.0.0.1:${address.port}`);
