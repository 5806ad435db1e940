/**
 * What the relay prints, decoded: workerd hands Miniflare one structured line per console
 * call; the relay's event lines (`src/worker/log.ts`) become {@link ClientEvent}s, anything
 * else a {@link ConsoleEntry}.
 *
 * @module
 */

/**
 * A client event in a room, as the relay logged it; `time` is when the Worker logged it.
 *
 * @example
 * ```ts
 * server.on("client", (event: ClientEvent) => {
 *   if (event.type === "refused") console.warn(`${event.name} refused: ${event.reason}`);
 * });
 * ```
 */
export type ClientEvent =
  | {
      /** A socket was accepted into `room`. */
      type: "connect";
      room: string;
      time: Date;
    }
  | {
      /** A socket identified as `name`. */
      type: "identified";
      room: string;
      name: string;
      /** How it proved it may hold the name: `"token"`, `"secret"` or `"none"`. */
      proof: string | undefined;
      time: Date;
    }
  | {
      /** An identify was refused; `reason` is the relay's error code (`NAME_TAKEN`…). */
      type: "refused";
      room: string;
      name: string | undefined;
      reason: string;
      time: Date;
    }
  | {
      /** The socket holding `name` was closed for a new connection that proved it may take it. */
      type: "replaced";
      room: string;
      name: string;
      time: Date;
    }
  | {
      /** Someone asked for `name` without proof: the room asked its holder whether it is there. */
      type: "probe";
      room: string;
      name: string;
      time: Date;
    }
  | {
      /** A socket was closed for not identifying, or for heartbeats that stopped. */
      type: "timeout";
      room: string;
      name: string | undefined;
      reason: string;
      time: Date;
    }
  | {
      /** A socket closed with `code`; `name` is unset when it never identified. */
      type: "close";
      room: string;
      name: string | undefined;
      code: number;
      time: Date;
    }
  | {
      /** A socket failed. */
      type: "error";
      room: string;
      name: string | undefined;
      message: string;
      time: Date;
    };

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
  const event = log.message.startsWith('{"event":') ? decodeEvent(log.message, time) : undefined;
  if (event !== undefined) return { kind: "client", event };
  return { kind: "console", entry: { level: log.level, message: log.message, time } };
}

function decodeEvent(text: string, time: Date): ClientEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  const room = fields.room;
  if (typeof room !== "string") return undefined;
  const name = typeof fields.name === "string" ? fields.name : undefined;
  switch (fields.event) {
    case "connect":
      return { type: "connect", room, time };
    case "identified":
      return name === undefined
        ? undefined
        : {
            type: "identified",
            room,
            name,
            proof: typeof fields.proof === "string" ? fields.proof : undefined,
            time,
          };
    case "refused":
      return typeof fields.reason === "string"
        ? { type: "refused", room, name, reason: fields.reason, time }
        : undefined;
    case "replaced":
      return name === undefined ? undefined : { type: "replaced", room, name, time };
    case "probe":
      return name === undefined ? undefined : { type: "probe", room, name, time };
    case "timeout":
      return typeof fields.reason === "string"
        ? { type: "timeout", room, name, reason: fields.reason, time }
        : undefined;
    case "close":
      return typeof fields.code === "number"
        ? { type: "close", room, name, code: fields.code, time }
        : undefined;
    case "error":
      return {
        type: "error",
        room,
        name,
        message: typeof fields.message === "string" ? fields.message : "",
        time,
      };
    default:
      return undefined;
  }
}
