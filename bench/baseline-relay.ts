/**
 * The baseline: the seed's routing (`seed.ts`) on Node's `ws`, one process. Rooms are the
 * URL's path, as with the relay.
 *
 * `node dist/bench/baseline-relay.js --port 0` prints `listening ws://127.0.0.1:PORT` and runs
 * until SIGTERM, SIGINT, or its stdin closes.
 *
 * @module
 */

import { type WebSocket, WebSocketServer } from "ws";
import { announce, serverArgs, stopWhenAsked } from "./child.js";
import { forget, messageText, type SeedRoom, seedRoom, takeFrame } from "./seed.js";

const rooms = new Map<string, SeedRoom<WebSocket>>();

function roomFor(path: string): SeedRoom<WebSocket> {
  let room = rooms.get(path);
  if (room === undefined) {
    room = seedRoom();
    rooms.set(path, room);
  }
  return room;
}

function accept(ws: WebSocket, path: string): void {
  const room = roomFor(path);
  let name: string | undefined;
  for (const line of room.handshake) ws.send(line);
  ws.on("message", (data, isBinary) => {
    name = takeFrame(room, ws, name, isBinary ? undefined : messageText(data));
  });
  ws.on("close", () => forget(room, ws, name));
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
