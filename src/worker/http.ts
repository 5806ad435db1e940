/**
 * The Worker's request handling: the URL scheme, the health route, the checks that happen
 * before any room is touched (room name, origin, upgrade, token), and the hand-over of the
 * WebSocket upgrade to the room's Durable Object.
 *
 * @module
 */

import {
  checkRoomName,
  DEFAULT_ROOM,
  DEFLATE_QUERY_PARAMETER,
  SUBPROTOCOL,
  TOKEN_QUERY_PARAMETER,
  TOKEN_SUBPROTOCOL_PREFIX,
} from "wscomsrv-protocol";
import { verifyToken } from "../auth/token.js";
import { relayConfig } from "../config/index.js";
import type { Env } from "./env.js";

/** The health route, for load balancers and scripts. */
export const HEALTH_PATH = "/_health";

/** The header the Worker uses to tell a Room its own name. */
export const ROOM_HEADER = "x-wscomsrv-room";

/** The header the Worker uses to tell a Room the name a verified token grants (URI-encoded). */
export const NAME_HEADER = "x-wscomsrv-name";

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

/** A plain-text response. */
export function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(`${body}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

function offeredSubprotocols(request: Request): string[] {
  const header = request.headers.get("sec-websocket-protocol");
  return header === null ? [] : header.split(",").map((protocol) => protocol.trim());
}

/** The token a request carries, in a subprotocol or the query string, if any. */
export function tokenOf(request: Request, url: URL): string | undefined {
  for (const protocol of offeredSubprotocols(request)) {
    if (protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) {
      return protocol.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
    }
  }
  return url.searchParams.get(TOKEN_QUERY_PARAMETER) ?? undefined;
}

/**
 * The subprotocol to answer an upgrade with: `wscomsrv` when offered, otherwise the first one
 * offered that carries no token (browsers fail a connection whose offer is not answered, so a
 * browser that offers a token must offer `wscomsrv` too), otherwise none.
 */
export function chosenSubprotocol(request: Request): string | undefined {
  const offered = offeredSubprotocols(request);
  if (offered.includes(SUBPROTOCOL)) return SUBPROTOCOL;
  // Never a token: the answer's headers may end up in a proxy's log.
  return offered.find((protocol) => !protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
}

/** True when the client asked for compression with the query parameter `?deflate`. */
export function wantsDeflate(url: URL): boolean {
  const value = url.searchParams.get(DEFLATE_QUERY_PARAMETER);
  return value !== null && value !== "0" && value !== "false";
}

/**
 * The headers of the answer to an upgrade. Compression is off unless the client asked for it:
 * browsers and `ws` offer `permessage-deflate` by default, and it costs CPU on both ends and
 * hundreds of kilobytes of memory per socket. The runtime negotiates compression from the
 * `Sec-WebSocket-Extensions` header of the answer when there is one, so naming an extension
 * the client cannot have offered turns it off; without the header, the runtime accepts what
 * the client offered.
 */
export function upgradeHeaders(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  const protocol = chosenSubprotocol(request);
  if (protocol !== undefined) headers["sec-websocket-protocol"] = protocol;
  if (!wantsDeflate(new URL(request.url))) headers["sec-websocket-extensions"] = NO_EXTENSIONS;
  return headers;
}

/** An extension no client offers: the answer that leaves compression off. */
const NO_EXTENSIONS = "wscomsrv-none";

/**
 * Handles one request to the Worker. Everything but a valid, allowed WebSocket upgrade to a
 * valid room is answered here, before any Durable Object is touched.
 */
export async function handleRequest(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === HEALTH_PATH) {
    return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
  }
  const target = roomFromPath(url.pathname);
  if (!target.ok) return text(target.status, target.reason);
  const configured = relayConfig(env);
  if (!configured.ok) {
    console.error(`relay misconfigured: ${configured.problem}`);
    return text(500, "the relay is misconfigured; its log says how");
  }
  const config = configured.config;
  const origin = request.headers.get("origin");
  if (
    origin !== null &&
    config.allowedOrigins !== undefined &&
    !config.allowedOrigins.has(origin)
  ) {
    return text(403, `connections from origin ${origin} are not allowed`);
  }
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return text(
      426,
      `This is the WebSocket relay for room "${target.room}". Connect with a WebSocket client to ws://${url.host}${url.pathname}`,
      { upgrade: "websocket" },
    );
  }
  const headers = new Headers(request.headers);
  headers.delete(NAME_HEADER);
  headers.set(ROOM_HEADER, target.room);
  const token = tokenOf(request, url);
  if (token !== undefined) {
    const check = await verifyToken(token, target.room, config.tokenKeys);
    if (!check.ok) return text(401, check.reason);
    headers.set(NAME_HEADER, encodeURIComponent(check.claims.name));
  } else if (config.policyFor(target.room) === "token") {
    return text(401, `room "${target.room}" needs a token`);
  }
  return env.ROOMS.getByName(target.room).fetch(new Request(request, { headers }));
}
