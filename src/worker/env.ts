/**
 * The bindings the Worker and the Room receive: what `wrangler.toml` binds, as
 * `wrangler types` generates it into `worker-configuration.d.ts` (`npm run types`), and the
 * relay's optional variables, which are set as secrets or dashboard variables rather than in
 * `wrangler.toml` and so are typed by {@link RelayVariables} and decoded by `src/config`.
 * `docs/security.md` documents each variable.
 *
 * @module
 */

import type { RelayVariables } from "../config/index.js";

/**
 * The Worker's environment: the bindings of `wrangler.toml` (`ROOMS`, one Room Durable Object
 * per room name; see `Cloudflare.Env` in `worker-configuration.d.ts`) and the relay's
 * variables (`ROOM_PASSWORD`, `TOKEN_KEYS`, `ALLOWED_ORIGINS`, `ROOM_POLICY`, `LIMITS`,
 * `ROOM_LIMITS`), each optional: unset means its default.
 */
export type Env = Cloudflare.Env & RelayVariables;
