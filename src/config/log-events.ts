/**
 * The one schema of the relay's event log: the client events the Worker logs, one JSON line
 * each (`{"event":…,"room":…,…fields}`), and the fields of each. The Worker writes lines with
 * {@link formatLogLine}; the embedded server reads them back with {@link decodeLogLine}.
 *
 * @module
 */

/** The type of a field: a string, a string that may be missing, or a number. */
type FieldType = "string" | "string?" | "number";

/**
 * The client events the relay logs and the fields of each, besides `event` and `room`:
 *
 * - `connect`: a socket was accepted into the room.
 * - `identified`: a socket identified as `name`; `proof` says how it proved it may hold the
 *   name (`"token"`, `"secret"` or `"none"`).
 * - `refused`: an identify was refused; `reason` is the relay's error code (`NAME_TAKEN`…).
 * - `replaced`: the socket holding `name` was closed for a new connection that proved it may
 *   take it.
 * - `probe`: someone asked for `name` without proof: the room asked its holder whether it is
 *   there.
 * - `timeout`: a socket was closed for not identifying, for heartbeats that stopped, or for
 *   not reading; `reason` says which.
 * - `close`: a socket closed with `code`; `name` is missing when it never identified.
 * - `error`: a socket failed with `message`.
 */
export const LOG_EVENTS = {
  connect: {},
  identified: { name: "string", proof: "string?" },
  refused: { name: "string?", reason: "string" },
  replaced: { name: "string" },
  probe: { name: "string" },
  timeout: { name: "string?", reason: "string" },
  close: { name: "string?", code: "number" },
  error: { name: "string?", message: "string" },
} as const satisfies Record<string, Record<string, FieldType>>;

/** The name of a logged event: `"connect"`, `"identified"`… */
export type LogEventName = keyof typeof LOG_EVENTS;

type Schema<E extends LogEventName> = (typeof LOG_EVENTS)[E];

/** The fields of the event `E`: a missing `"string?"` field is `undefined`. */
export type LogEventFields<E extends LogEventName> = {
  [K in keyof Schema<E> as Schema<E>[K] extends "string?"
    ? never
    : K]: Schema<E>[K] extends "number" ? number : string;
} & { [K in keyof Schema<E> as Schema<E>[K] extends "string?" ? K : never]?: string | undefined };

/**
 * A logged event, decoded: its name as `type`, its room, and its fields.
 *
 * @example
 * ```ts
 * const event: LogEvent = { type: "close", room: "lobby", name: "Player1", code: 1000 };
 * ```
 */
export type LogEvent = {
  [E in LogEventName]: { type: E; room: string } & {
    [K in keyof LogEventFields<E>]: LogEventFields<E>[K];
  };
}[LogEventName];

/** Longest string field written, in characters; longer ones are cut (a name can be huge). */
const MAX_FIELD = 120;

/**
 * The line for one event: `{"event":…,"room":…,…fields}`, fields left `undefined` left out,
 * strings longer than 120 characters cut.
 *
 * @example
 * ```ts
 * formatLogLine("lobby", "identified", { name: "Player1" });
 * // {"event":"identified","room":"lobby","name":"Player1"}
 * ```
 */
export function formatLogLine<E extends LogEventName>(
  room: string,
  event: E,
  fields: LogEventFields<E>,
): string {
  const line: Record<string, string | number> = { event, room };
  for (const [key, value] of Object.entries(fields) as [string, string | number | undefined][]) {
    if (value === undefined) continue;
    line[key] =
      typeof value === "string" && value.length > MAX_FIELD
        ? `${value.slice(0, MAX_FIELD)}…`
        : value;
  }
  return JSON.stringify(line);
}

/** True for the name of a logged event. */
function isLogEventName(value: unknown): value is LogEventName {
  return typeof value === "string" && Object.hasOwn(LOG_EVENTS, value);
}

/**
 * Decodes one line of the log: an event of {@link LOG_EVENTS} with every field of its type,
 * or `undefined` for anything else (another line, unknown event, a field missing or of the
 * wrong type).
 *
 * @example
 * ```ts
 * decodeLogLine('{"event":"close","room":"lobby","code":1006}');
 * // { type: "close", room: "lobby", name: undefined, code: 1006 }
 * ```
 */
export function decodeLogLine(text: string): LogEvent | undefined {
  if (!text.startsWith('{"event":')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const line = value as Record<string, unknown>;
  const { event, room } = line;
  if (!isLogEventName(event) || typeof room !== "string") return undefined;
  const decoded: Record<string, unknown> = { type: event, room };
  for (const [key, type] of Object.entries(LOG_EVENTS[event]) as [string, FieldType][]) {
    const field = line[key];
    if (type === "string?" && field === undefined) decoded[key] = undefined;
    else if (typeof field === (type === "number" ? "number" : "string")) decoded[key] = field;
    else return undefined;
  }
  // Every field of the event's schema was checked above.
  return decoded as LogEvent;
}
