/**
 * What the relay prints, decoded: workerd hands Miniflare one structured line per console
 * call; the relay's event lines (in the schema of `src/config/log-events.ts`) become
 * {@link ClientEvent}s, anything else a {@link ConsoleEntry}.
 *
 * @module
 */

import { decodeLogLine, type LogEvent } from "../config/index.js";

/**
 * A client event in a room, as the relay logged it (the events and fields of `LOG_EVENTS`
 * in `src/config/log-events.ts`: `connect`, `identified`, `refused`, `replaced`, `probe`,
 * `timeout`, `close`, `error`); `time` is when the Worker logged it.
 *
 * @example
 * ```ts
 * server.on("client", (event: ClientEvent) => {
 *   if (event.type === "refused") console.warn(`${event.name} refused: ${event.reason}`);
 * });
 * ```
 */
export type ClientEvent = LogEvent & { time: Date };

/**
 * A line the Worker printed that is not a client event (an error report, a warning…).
 *
 * @example
 * ```ts
 * server.on("console", (entry: ConsoleEntry) => {
 *   if (entry.level === "error") console.error(entry.message);
 * });
 * ```
 */
export interface ConsoleEntry {
  /** workerd's level: `"debug"`, `"info"`, `"log"`, `"warn"` or `"error"`. */
  level: string;
  /** The text, possibly several lines (a stack trace). */
  message: string;
  time: Date;
}

/** One structured line from workerd, as Miniflare passes it on. */
export interface StructuredLog {
  timestamp: number;
  level: string;
  message: string;
}

/** A decoded line. */
export type RuntimeLog =
  | { kind: "client"; event: ClientEvent }
  | { kind: "console"; entry: ConsoleEntry };

/**
 * Decodes one structured line. A line that looks like an event but is not a valid one is
 * passed on as a console entry, unchanged.
 */
export function decodeRuntimeLog(log: StructuredLog): RuntimeLog {
  const time = new Date(log.timestamp);
  const event = decodeLogLine(log.message);
  if (event !== undefined) return { kind: "client", event: { ...event, time } };
  return { kind: "console", entry: { level: log.level, message: log.message, time } };
}
