/**
 * Reconnect delays: exponential backoff with full jitter, capped. A pure function of the
 * attempt number and a source of randomness.
 *
 * @module
 */

/**
 * The parameters of {@link backoffDelay}.
 *
 * @example
 * ```ts
 * const options: BackoffOptions = { baseDelay: 500, maxDelay: 10_000 };
 * ```
 */
export interface BackoffOptions {
  /** The ceiling of the first delay, in milliseconds. Default 1,000. */
  baseDelay: number;
  /** No delay is ever longer than this, in milliseconds. Default 30,000. */
  maxDelay: number;
}

/**
 * The default {@link BackoffOptions}: 1 s base, 30 s cap. Internal: users set
 * `reconnectBaseDelay` and `reconnectMaxDelay`.
 *
 * @example
 * ```ts
 * backoffDelay(2, DEFAULT_BACKOFF); // somewhere in 0..4000
 * ```
 */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  baseDelay: 1_000,
  maxDelay: 30_000,
});

/**
 * The upper bound of the delay before reconnect attempt `attempt`:
 * `min(maxDelay, baseDelay * 2 ** attempt)`.
 *
 * @param attempt - Reconnect attempts made since the last identified connection, from 0.
 * @param options - Base and cap. Default {@link DEFAULT_BACKOFF}.
 * @example
 * ```ts
 * backoffCeiling(3, { baseDelay: 1000, maxDelay: 30000 }); // 8000
 * backoffCeiling(9, { baseDelay: 1000, maxDelay: 30000 }); // 30000
 * ```
 */
export function backoffCeiling(
  attempt: number,
  options: Readonly<BackoffOptions> = DEFAULT_BACKOFF,
): number {
  checkBackoffOptions(options);
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt must be an integer >= 0, got ${attempt}`);
  }
  // 2 ** attempt is Infinity for large attempts; min() caps it.
  return Math.min(options.maxDelay, options.baseDelay * 2 ** attempt);
}

/**
 * The delay before reconnect attempt `attempt`, "full jitter": uniform in
 * `[0, backoffCeiling(attempt)]`, in whole milliseconds. Spreading the delays over the whole
 * range keeps many clients from reconnecting in step after a relay restart.
 *
 * @param attempt - Reconnect attempts made since the last identified connection, from 0.
 * @param options - Base and cap. Default {@link DEFAULT_BACKOFF}.
 * @param random - A source of numbers in `[0, 1)`. Default `Math.random`.
 * @returns Milliseconds to wait.
 * @example
 * ```ts
 * backoffDelay(0); // somewhere in 0..1000
 * backoffDelay(4, { baseDelay: 100, maxDelay: 1000 }, () => 0.5); // 500
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: Readonly<BackoffOptions> = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = backoffCeiling(attempt, options);
  const sample = random();
  const fraction = sample >= 0 && sample <= 1 ? sample : 0;
  return Math.min(ceiling, Math.floor(fraction * ceiling));
}

/**
 * Throws a `RangeError` unless `0 < baseDelay <= maxDelay`, both finite.
 *
 * @example
 * ```ts
 * checkBackoffOptions({ baseDelay: 0, maxDelay: 10 }); // throws RangeError
 * ```
 */
export function checkBackoffOptions(options: Readonly<BackoffOptions>): void {
  const { baseDelay, maxDelay } = options;
  if (!Number.isFinite(baseDelay) || baseDelay <= 0) {
    throw new RangeError(`baseDelay must be a finite number > 0, got ${baseDelay}`);
  }
  if (!Number.isFinite(maxDelay) || maxDelay < baseDelay) {
    throw new RangeError(
      `maxDelay must be finite and >= baseDelay (${baseDelay}), got ${maxDelay}`,
    );
  }
}
