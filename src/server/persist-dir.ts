/**
 * The check of the `persist` directory before workerd starts: there, or created, and
 * writable, so that a bad path is one clear {@link PersistError} instead of workerd's
 * `ENOENT ... mkdir .../cache` from deep inside Miniflare.
 *
 * @module
 */

import { mkdir, mkdtemp, rmdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PersistError, systemCode } from "./errors.js";

/**
 * Makes sure `path` (absolute) is a directory this process can write: creates it (and its
 * parents) when missing, then creates and removes an empty directory in it.
 *
 * @throws PersistError (rejects) when it is a file, cannot be created or cannot be written.
 */
export async function preparePersistDir(path: string): Promise<void> {
  const found = await stat(path).catch((error: unknown) => {
    if (systemCode(error) === "ENOENT") return undefined;
    throw new PersistError(path, problemOf("cannot be used", error), { cause: error });
  });
  if (found !== undefined && !found.isDirectory()) {
    throw new PersistError(path, "is a file, not a directory");
  }
  if (found === undefined) {
    await makeDirectories(path).catch((error: unknown) => {
      throw new PersistError(path, problemOf("cannot be created", error), { cause: error });
    });
  }
  try {
    await rmdir(await mkdtemp(join(path, ".wscomsrv-check-")));
  } catch (error) {
    throw new PersistError(path, problemOf("cannot be written", error), { cause: error });
  }
}

/**
 * Creates `path` and its missing parents, one at a time: `mkdir(path, { recursive: true })`
 * loops for ever where `mkdir` answers `ENOENT` under a directory that exists (`/proc`).
 */
async function makeDirectories(path: string): Promise<void> {
  const missing: string[] = [];
  for (let each = path; ; each = dirname(each)) {
    const exists = await stat(each).then(
      () => true,
      (error: unknown) => {
        if (systemCode(error) === "ENOENT") return false;
        throw error;
      },
    );
    if (exists || dirname(each) === each) break;
    missing.unshift(each);
  }
  for (const each of missing) {
    await mkdir(each).catch((error: unknown) => {
      if (systemCode(error) !== "EEXIST") throw error;
    });
  }
}

/** The words for the system errors a path can meet. */
const REASONS: Readonly<Record<string, string>> = {
  ENOTDIR: "a part of its path is a file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "name too long",
  ENOENT: "the file system does not allow it here",
};

function problemOf(what: string, error: unknown): string {
  const code = systemCode(error);
  if (code === undefined) return what;
  const reason = REASONS[code];
  return reason === undefined ? `${what} (${code})` : `${what}: ${reason} (${code})`;
}
