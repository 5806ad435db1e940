/**
 * The build a bench run measures, frozen at its start. The working tree's `dist/` is shared:
 * a build during a run (another `npm run build`, another bench) would otherwise give the
 * servers started later in the run another relay than the first ones. So the harness copies
 * the Worker bundle and the two server entries into a directory of its own (under the
 * repository's `.tmp/`, so that the entries still find `node_modules`) and starts every server
 * from there.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

/** What the servers of one run are started from. */
export interface ServerBuild {
  /** `relay-process.js`. */
  relayEntry: string;
  /** `baseline-relay.js`. */
  baselineEntry: string;
  /** The Worker bundle the relay runs (`index.js`). */
  workerScript: string;
  /** SHA-256 of the Worker bundle, hex, to tell runs of different relays apart. */
  workerSha256: string;
}

/** A frozen build; {@link Snapshot.remove} deletes it. */
export interface Snapshot extends ServerBuild {
  /** The directory holding it. */
  dir: string;
  remove(): void;
}

/**
 * Copies `dist/worker` and the server entries of `benchDir` (`dist/bench`) into a new
 * directory under `root/.tmp/`.
 *
 * @throws Error when a file is missing (run the build first).
 */
export function snapshotBuild(root: string, benchDir: string): Snapshot {
  const parent = join(root, ".tmp");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, "bench-"));
  try {
    cpSync(join(root, "dist", "worker"), join(dir, "worker"), { recursive: true });
    for (const file of ["relay-process.js", "baseline-relay.js"]) {
      cpSync(join(benchDir, file), join(dir, file));
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot copy the build (run npm run bench, which builds it): ${String(error)}`);
  }
  const workerScript = join(dir, "worker", "index.js");
  return {
    dir,
    relayEntry: join(dir, "relay-process.js"),
    baselineEntry: join(dir, "baseline-relay.js"),
    workerScript,
    workerSha256: createHash("sha256").update(readFileSync(workerScript)).digest("hex"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
