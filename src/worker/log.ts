/**
 * The relay's event log: one JSON line per client event on the console, for Workers Logs and
 * for the local server's CLI, in the schema of `src/config/log-events.ts`. Never called on the
 * per-frame routing path, and never given a password or a token.
 *
 * @module
 */

import { formatLogLine, type LogEventFields, type LogEventName } from "../config/index.js";

/**
 * Writes `{"event":…,"room":…,…fields}` as one line with `console.log`.
 *
 * @example
 * ```ts
 * logEvent("lobby", "identified", { name: "Player1" });
 * // {"event":"identified","room":"lobby","name":"Player1"}
 * ```
 */
export function logEvent<E extends LogEventName>(
  room: string,
  event: E,
  ...[fields]: [keyof LogEventFields<E>] extends [never]
    ? [fields?: LogEventFields<E>]
    : [fields: LogEventFields<E>]
): void {
  console.log(formatLogLine(room, event, fields ?? ({} as LogEventFields<E>)));
}
