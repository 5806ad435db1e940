/**
 * The limits a room enforces on what it receives, with their defaults.
 *
 * @module
 */

/** Limits on incoming frames. Every field is documented with its default. */
export interface Limits {
  /** Largest frame the relay accepts, in UTF-8 bytes. Default 1 MiB (1,048,576). */
  maxFrameBytes: number;
  /** Deepest nesting of arrays and objects in a frame. Default 32. */
  maxDepth: number;
  /** Most entries in a `target` list. Default 256. */
  maxTargets: number;
  /** Wrong passwords a socket may send before it is closed. Default 3. */
  maxPasswordTries: number;
}

/** The default {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 1_048_576,
  maxDepth: 32,
  maxTargets: 256,
  maxPasswordTries: 3,
});
