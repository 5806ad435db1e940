/**
 * The Worker's request handling: the URL scheme, the health route, and the hand-over of
 * WebSocket upgrades to the room's Durable Object.
 *
 * @module
 */

import { checkRoomName, DEFAULT_ROOM } from "../protocol/index.js";
import type { Env } from "./env.js";

/** The health route, for load balancers and scripts. */
export const HEALTH_PATH = "/_health";

/** The header the Worker uses to tell a Room its own name. */
export const ROOM_HEADER = "x-wscomsrv-room";

/** The room a path names, or why the path names none. */
export type RoomPath = { ok: true; room: string } | { ok: false; status: number; reason: string };

/**
 * Maps a URL path to a room: `/` is the room `default`, `/<room>` (with or without a trailing
 * slash) is `<room>`. Paths starting with `/_` belong to the relay.
 */
export function roomFromPath(pathname: string): RoomPath {
  let path = pathname.startsWith("/") ? pathname.slice(1) : pathname;
  if (path.endsWith("/")) path = path.slice(0, -1);
  if (path === "") return { ok: true, room: DEFAULT_ROOM };
  if (path.startsWith("_")) return { ok: false, status: 404, reason: "no such relay route" };
  const problem = checkRoomName(path);
  if (problem !== undefined) return { ok: false, status: 400, reason: `bad room name: ${problem}` };
  return { ok: true, room: path };
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(`${body}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/**
 * Handles one request to the Worker. Everything but a valid WebSocket upgrade to a valid room
 * is answered here, before any Durable Object is touched.
 */
export async function handleRequest(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === HEALTH_PATH) {
    return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
  }
  const target = roomFromPath(url.pathname);
  if (!target.ok) return text(target.status, target.reason);
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return text(
      426,
      `This is the WebSocket relay for room "${target.room}". Connect with a WebSocket client to ws://${url.host}${url.pathname}`,
      { upgrade: "websocket" },
    );
  }
  const headers = new Headers(request.headers);
  headers.set(ROOM_HEADER, target.room);
  return env.ROOMS.getByName(target.room).fetch(new Request(request, { headers }));
}
