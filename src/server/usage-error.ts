/**
 * The error of a command line that cannot be run.
 *
 * @module
 */

/**
 * A command line that cannot be run; the message says why, and never holds a secret or a
 * token. `wscomsrv` prints it and exits with status 2.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
