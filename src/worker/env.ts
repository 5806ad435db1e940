/**
 * The bindings the Worker and the Room receive.
 *
 * @module
 */

import type { Room } from "./room.js";

/** The Worker's environment, as configured in `wrangler.toml`. */
export interface Env {
  /** One Room Durable Object per room name. */
  ROOMS: DurableObjectNamespace<Room>;
  /** The room password (a Worker secret). Unset or empty: rooms are open. */
  ROOM_PASSWORD?: string;
}
