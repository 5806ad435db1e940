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

/**
 * workerd's own reports of a peer that went away in the middle of an operation (a socket
 * closed while a frame was on its way, a request cancelled): KJ exceptions of type
 * `disconnected`, which say nothing the client events do not already say.
 */
const BENIGN_RUNTIME_LINE =
  /\.c\+\+:\d+: disconnected: (?:other end of WebSocketPipe was destroyed|WebSocket peer disconnected|WebSocket was aborted|operation canceled)/;

/**
 * Whether a line workerd printed is a known-benign report of its own (see
 * `BENIGN_RUNTIME_LINE`: a peer that disconnected mid-operation), which a user need not see.
 * Only workerd's C++ reports match (`file.c++:line: disconnected: …`), never a Worker's own
 * `console` output, and only those four reasons: any other line, an error included, is kept.
 *
 * @example
 * ```ts
 * isBenignRuntimeLine("kj/compat/http.c++:4051: disconnected: other end of WebSocketPipe was destroyed"); // true
 * isBenignRuntimeLine("room lobby: frame handler failed Error: boom"); // false
 * ```
 */
export function isBenignRuntimeLine(message: string): boolean {
  return BENIGN_RUNTIME_LINE.test(message);
}
