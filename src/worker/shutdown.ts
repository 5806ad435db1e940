/**
 * Going away: what the relay on one machine does when it stops. Before it ends workerd, the
 * local server posts the rooms it served to {@link GOING_AWAY_PATH}, with the key only it
 * knows (the variable `GOING_AWAY_KEY`, a random one per start; without it, as on Cloudflare,
 * the route does not exist); the Worker asks each room (`Room.goAway()`, a Durable Object RPC,
 * which wakes a hibernated room with its sockets) to close every socket with `1001` ("going
 * away": a client should reconnect), and answers once the clients have answered the close,
 * within a bounded time, so that the close frames are out before the runtime ends.
 *
 * @module
 */

import { CloseCode, checkRoomName } from "wscomsrv-protocol";
import type { Socket } from "./connections.js";
import { close, type RoomContext } from "./context.js";
import type { Env } from "./env.js";
import { text } from "./room-contract.js";

/** The route the local server posts the rooms to. */
export const GOING_AWAY_PATH = "/_going-away";

/** The header that carries `GOING_AWAY_KEY`. */
export const GOING_AWAY_KEY_HEADER = "x-wscomsrv-going-away";

/** The most rooms one request names. */
const MAX_ROOMS = 100_000;

/** The reason of the `1001` close the relay sends when it stops. */
export const GOING_AWAY_REASON = "relay stopping";

/** How long a room waits, at most, for its clients to answer the close: 500 ms. */
export const GOING_AWAY_WAIT_MS = 500;

/** The sockets a room closed for going away, until each has answered or failed. */
export class GoingAway<S extends Socket> {
  readonly #open = new Set<S>();
  #done: (() => void) | undefined;

  /**
   * Closes every socket of `room` with {@link GOING_AWAY_REASON}, after the frames queued for
   * it, and resolves once each has closed, or after `waitMs`; resolves with how many there were.
   */
  async start(room: RoomContext<S>, waitMs: number = GOING_AWAY_WAIT_MS): Promise<number> {
    for (const [socket] of [...room.connections.sessions()]) {
      this.#open.add(socket);
      close(room, socket, CloseCode.goingAway, GOING_AWAY_REASON);
    }
    room.outbox.flush();
    const count = this.#open.size;
    if (count === 0) return 0;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.#done = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return count;
  }

  /** `socket` closed or failed. */
  gone(socket: S): void {
    if (this.#open.delete(socket) && this.#open.size === 0) this.#done?.();
  }
}

/**
 * Answers a `POST` to {@link GOING_AWAY_PATH}: the body is a JSON list of room names; every
 * room closes its sockets, and the answer (`{"sockets": n}`) comes once they all have. Without
 * the right key, the answer is the 404 of any other unknown relay route.
 */
export async function goingAwayRoute(request: Request, env: Env): Promise<Response> {
  if (
    request.method !== "POST" ||
    !(await keyMatches(request, Reflect.get(env, "GOING_AWAY_KEY")))
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
  const given = request.headers.get(GOING_AWAY_KEY_HEADER);
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
