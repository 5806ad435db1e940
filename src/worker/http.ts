/**
 * The Worker's request handling: the URL scheme, the health route, the client's browser build
 * (`client-file.ts`), the local server's going-away route (`going-away-route.ts`), the checks
 * that happen before any room is touched (room name, origin, upgrade, token), and the hand-over
 * of the WebSocket upgrade to the room's Durable Object (as `room-contract.ts` says).
 *
 * @module
 */

import {
  checkRoomName,
  DEFAULT_ROOM,
  TOKEN_QUERY_PARAMETER,
  TOKEN_SUBPROTOCOL_PREFIX,
} from "wscomsrv-protocol";
import { verifyToken } from "../auth/token.js";
import { GOING_AWAY_ROUTE, relayConfig } from "../config/index.js";
import { clientFileResponse } from "./client-file.js";
import { consolePage, wantsConsole } from "./console.js";
import type { Env } from "./env.js";
import { goingAwayRoute } from "./going-away-route.js";
import { forwardUpgrade, offeredSubprotocols, text } from "./room-contract.js";

/** The health route, for load balancers and scripts. */
export const HEALTH_PATH = "/_health";

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
 * Handles one request to the Worker. Everything but a valid, allowed WebSocket upgrade to a
 * valid room is answered here, before any Durable Object is touched.
 */
export async function handleRequest(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === HEALTH_PATH) {
    return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
  }
  const clientFile = clientFileResponse(request, url);
  if (clientFile !== undefined) return clientFile;
  if (url.pathname === GOING_AWAY_ROUTE.path) return goingAwayRoute(request, env);
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
    if (wantsConsole(request)) return consolePage(url, target.room, config.policyFor(target.room));
    return text(
      426,
      `This is the WebSocket relay for room "${target.room}". Connect with a WebSocket client to ws://${url.host}${url.pathname}`,
      { upgrade: "websocket" },
    );
  }
  let boundName: string | undefined;
  const token = tokenOf(request, url);
  if (token !== undefined) {
    const check = await verifyToken(token, target.room, config.tokenKeys);
    if (!check.ok) return text(401, check.reason);
    boundName = check.claims.name;
  } else if (config.policyFor(target.room) === "token") {
    return text(401, `room "${target.room}" needs a token`);
  }
  return env.ROOMS.getByName(target.room).fetch(forwardUpgrade(request, target.room, boundName));
}
