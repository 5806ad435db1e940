/**
 * The CLI's log lines: one readable line per client event or console entry.
 *
 * @module
 */

import type { ClientEvent, ConsoleEntry } from "../server/index.js";

/** Longest console message printed, in characters. */
const MAX_MESSAGE = 500;

/**
 * One line for a client event, e.g. `12:00:01 [lobby] "Player1" identified`.
 *
 * @example
 * ```ts
 * formatClientEvent({ type: "connect", room: "lobby", time: new Date() });
 * // "12:00:01 [lobby] a client connected"
 * ```
 */
export function formatClientEvent(event: ClientEvent): string {
  const who = event.type === "connect" ? undefined : quote(event.name);
  let what: string;
  switch (event.type) {
    case "connect":
      what = "a client connected";
      break;
    case "identified":
      what = `${who} identified`;
      break;
    case "refused":
      what = `identify refused${who === undefined ? "" : ` for ${who}`}: ${clean(event.reason)}`;
      break;
    case "replaced":
      what = `${who} was replaced by a new connection`;
      break;
    case "probe":
      what = `${who} was asked whether it is still there (someone else asked for its name)`;
      break;
    case "timeout":
      what = `${who ?? "an unidentified client"} timed out: ${clean(event.reason)}`;
      break;
    case "close":
      what = `${who ?? "an unidentified client"} disconnected (code ${event.code})`;
      break;
    case "error":
      what = `${who ?? "an unidentified client"} failed: ${clean(event.message)}`;
      break;
  }
  return `${clock(event.time)} [${clean(event.room)}] ${what}`;
}

/**
 * One line for anything else the Worker printed: its level and its first line.
 *
 * @example
 * ```ts
 * formatConsoleEntry({ level: "error", message: "boom\n  at f", time: new Date() });
 * // "12:00:01 error: boom …"
 * ```
 */
export function formatConsoleEntry(entry: ConsoleEntry): string {
  const lines = entry.message.trim().split("\n");
  const first = clean(lines[0] ?? "");
  const cut = first.length > MAX_MESSAGE ? `${first.slice(0, MAX_MESSAGE)} …` : first;
  return `${clock(entry.time)} ${clean(entry.level)}: ${cut}${lines.length > 1 ? " …" : ""}`;
}

function clock(time: Date): string {
  return time.toTimeString().slice(0, 8);
}

function quote(name: string | undefined): string | undefined {
  return name === undefined ? undefined : JSON.stringify(name);
}

/** Escapes control characters, so that a client's text cannot forge or garble a line. */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => {
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
