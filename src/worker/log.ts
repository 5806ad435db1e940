/**
 * The relay's event log: one JSON line per client event on the console, for Workers Logs and
 * for the local server's CLI. Never called on the per-frame routing path, and never given a
 * password or a token.
 *
 * @module
 */

/** The client events the relay logs. */
export type LogEventName =
  | "connect"
  | "identified"
  | "refused"
  | "replaced"
  | "probe"
  | "timeout"
  | "close"
  | "error";

/** Extra facts about an event: names, codes, a message. */
export type LogFields = Record<string, string | number | undefined>;

/** Longest string field written, in characters; longer ones are cut (a name can be huge). */
const MAX_FIELD = 120;

/**
 * Writes `{"event":…,"room":…,…fields}` as one line with `console.log`.
 *
 * @example
 * ```ts
 * logEvent("lobby", "identified", { name: "Player1" });
 * // {"event":"identified","room":"lobby","name":"Player1"}
 * ```
 */
export function logEvent(room: string, event: LogEventName, fields: LogFields = {}): void {
  const line: Record<string, string | number> = { event, room };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    line[key] =
      typeof value === "string" && value.length > MAX_FIELD
        ? `${value.slice(0, MAX_FIELD)}…`
        : value;
  }
  console.log(JSON.stringify(line));
}
