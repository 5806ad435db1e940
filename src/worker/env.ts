/**
 * The bindings the Worker and the Room receive. `docs/security.md` documents each variable.
 *
 * @module
 */

import type { RelayVariables } from "../config/index.js";
import type { Room } from "./room.js";

/**
 * The Worker's environment, as configured in `wrangler.toml` and with `wrangler secret`: the
 * rooms, and the relay's variables (`ROOM_PASSWORD`, `TOKEN_KEYS`, `ALLOWED_ORIGINS`,
 * `ROOM_POLICY`, `LIMITS`, `ROOM_LIMITS`).
 */
export interface Env extends RelayVariables {
  /** One Room Durable Object per room name. */
  ROOMS: DurableObjectNamespace<Room>;
}
