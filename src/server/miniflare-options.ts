/**
 * The Miniflare configuration of the local server: the Worker bundle with the bindings
 * `wrangler.toml` declares, on workerd. Miniflare 5 takes its own option format; the
 * familiar v4 shape is converted with `convertV4MiniflareOptions`.
 *
 * @module
 */

import { dirname } from "node:path";
import type { MiniflareOptions } from "miniflare";
import { WORKER } from "./bundle.js";
import { miniflareModule } from "./miniflare-module.js";
import type { ResolvedOptions } from "./options.js";
import type { StructuredLog } from "./runtime-log.js";

/**
 * Builds the options for `new Miniflare()`.
 *
 * - `modulesRoot` is the bundle's directory, so the server starts from any working directory.
 * - `resourcePersistencePath` is Miniflare 5's persistence option (v4's
 *   `durableObjectsPersist` no longer exists and would be dropped without a word); unset, the
 *   rooms live in Miniflare's scratch directory, deleted on dispose.
 * - `cf: false` keeps Miniflare from fetching `request.cf` from the network and caching it
 *   under `node_modules/.mf`.
 * - Clients connect to the Worker through a direct socket on `host:port`, not through
 *   Miniflare's entry Worker (which stays on a loopback port of its own): the entry Worker is
 *   one more hop that every WebSocket frame would cross, costing about 48 KB of memory per
 *   socket and CPU per frame, and the relay needs nothing it adds.
 */
export function miniflareOptions(
  options: ResolvedOptions,
  scriptPath: string,
  onLog: (log: StructuredLog) => void,
): MiniflareOptions {
  return miniflareModule().convertV4MiniflareOptions({
    name: WORKER.name,
    host: "127.0.0.1",
    port: 0,
    unsafeDirectSockets: [{ host: options.host, port: options.port }],
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    compatibilityDate: WORKER.compatibilityDate,
    durableObjects: { ROOMS: { className: "Room", useSQLite: true } },
    bindings: options.bindings,
    ...(options.persist === undefined ? {} : { resourcePersistencePath: options.persist }),
    cf: false,
    handleStructuredLogs: onLog,
  });
}
