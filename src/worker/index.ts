/**
 * The Worker entry: every request goes to {@link handleRequest}; rooms are {@link Room}s.
 *
 * @module
 */

import type { Env } from "./env.js";
import { handleRequest } from "./http.js";

export { Room } from "./room.js";

export default {
  fetch: (request, env) => handleRequest(request, env),
} satisfies ExportedHandler<Env>;
