/**
 * The Worker bundle the local server runs: the file `npm run build` writes with
 * `wrangler deploy --dry-run --outdir dist/worker`, the same code `wrangler deploy` uploads.
 *
 * @module
 */

import { access } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { BundleMissingError } from "./errors.js";

/** The Worker's name and compatibility date; kept equal to `wrangler.toml`'s (a test checks). */
export const WORKER = { name: "wscomsrv-edge", compatibilityDate: "2026-11-01" } as const;

/** Where the bundle may be, seen from this module in `dist/server` (built) or `src/server`. */
export function bundleCandidates(): string[] {
  return ["../worker/index.js", "../../dist/worker/index.js"].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
}

/**
 * The bundle to run: `scriptPath` when given, else the first of {@link bundleCandidates} that
 * exists.
 *
 * @throws BundleMissingError (rejects) when there is none.
 */
export async function findBundle(scriptPath?: string): Promise<string> {
  const candidates = scriptPath === undefined ? bundleCandidates() : [scriptPath];
  for (const path of candidates) {
    try {
      await access(path);
      return path;
    } catch {
      // Try the next one.
    }
  }
  throw new BundleMissingError(candidates);
}
