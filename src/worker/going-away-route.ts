/**
 * The Worker's going-away route: the local server, before it ends workerd, posts the rooms it
 * served to `/_going-away` with the key only it knows (the variable `GOING_AWAY_KEY`, a random
 * one per start; without it, as on Cloudflare, the route answers as any unknown relay route),
 * and each room closes its sockets with 1001 (`shutdown.ts`). Path, header and variable are
 * `GOING_AWAY_ROUTE` of `src/config/going-away.ts`, which the server reads too.
 *
 * @module
 */

import { checkRoomName } from "wscomsrv-protocol";
import { GOING_AWAY_ROUTE } from "../config/index.js";
import type { Env } from "./env.js";
import { text } from "./room-contract.js";

/** The most rooms one request names. */
const MAX_ROOMS = 100_000;

/**
 * Answers a `POST` to `/_going-away`: the body is a JSON list of room names; every
 * room closes its sockets, and the answer (`{"sockets": n}`) comes once they all have. Without
 * the right key, the answer is the 404 of any other unknown relay route.
 */
export async function goingAwayRoute(request: Request, env: Env): Promise<Response> {
  if (
    request.method !== "POST" ||
    !(await keyMatches(request, Reflect.get(env, GOING_AWAY_ROUTE.variable)))
  ) {
    return text(404, "no such relay route");
  }
  const rooms = decodeRooms(await request.text());
  if (rooms === undefined) return text(400, "the body must be a JSON list of room names");
  const counts = await Promise.allSettled(rooms.map((room) => env.ROOMS.getByName(room).goAway()));
  let sockets = 0;
  for (const count of counts) if (count.status === "fulfilled") sockets += count.value;
  return Response.json({ sockets });
}

/** True when the request carries `key`, compared in constant time; never without a key. */
async function keyMatches(request: Request, key: unknown): Promise<boolean> {
  const given = request.headers.get(GOING_AWAY_ROUTE.header);
  if (typeof key !== "string" || key.length < 32 || given === null) return false;
  const [a, b] = [new TextEncoder().encode(given), new TextEncoder().encode(key)];
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

function decodeRooms(body: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_ROOMS) return undefined;
  const rooms: string[] = [];
  for (const room of parsed) {
    if (typeof room !== "string" || checkRoomName(room) !== undefined) return undefined;
    rooms.push(room);
  }
  return rooms;
}
