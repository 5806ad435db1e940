/**
 * The bindings the Worker and the Room receive. `docs/security.md` documents each variable.
 *
 * @module
 */

import type { Room } from "./room.js";

/** The Worker's environment, as configured in `wrangler.toml` and with `wrangler secret`. */
export interface Env {
  /** One Room Durable Object per room name. */
  ROOMS: DurableObjectNamespace<Room>;
  /** The room password (a secret). Unset or empty: no password. */
  ROOM_PASSWORD?: string;
  /** Token signing secrets by key id, as JSON `{"k1": "secret"}` (a secret). */
  TOKEN_KEYS?: string;
  /** Origins browsers may connect from, separated by commas or spaces. Unset: any. */
  ALLOWED_ORIGINS?: string;
  /** `open`, `password`, `token`, or JSON `{"room": policy, "prefix*": policy, "*": policy}`. */
  ROOM_POLICY?: string;
  /** Overrides of the default limits, as JSON `{"framesPerSecond": 100}`. */
  LIMITS?: string;
}
