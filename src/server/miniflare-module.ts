/**
 * Miniflare, loaded on the first start rather than on import: `require` rather than `import`,
 * because Miniflare is one 5.8 MB CommonJS file, and an ESM `import` of it first scans the
 * whole file for its export names, which `require` does not (docs/server.md has the commands
 * that compare the two, and their figures).
 *
 * @module
 */

import { createRequire } from "node:module";
import type * as Miniflare from "miniflare";

let loaded: typeof Miniflare | undefined;

/** The `miniflare` package, loaded once. */
export function miniflareModule(): typeof Miniflare {
  loaded ??= createRequire(import.meta.url)("miniflare") as typeof Miniflare;
  return loaded;
}
