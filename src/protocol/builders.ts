/**
 * Builders for every frame: the seed's message templates, and the relay's own frames.
 *
 * @module
 */

import {
  Command,
  type CommandData,
  type ErrorData,
  FrameType,
  type IdentifiedKwargs,
  type Json,
  type JsonObject,
  SERVER,
  type Target,
} from "./envelope.js";

/** The levels of a {@link levelMessage}. */
export type Level = "debug" | "info" | "warning" | "error";

/** A frame as built for sending: `target` as given, `from` as the sender's name. */
export interface OutgoingFrame {
  /** The frame type. */
  type: string;
  /** The payload. */
  data: Json;
  /** The sender's name. */
  from: string;
  /** The targets. */
  target: string[];
  /** Optional message id. */
  id?: string | number;
}

/** A command frame as built for sending. */
export interface OutgoingCommand extends OutgoingFrame {
  /** Always `"cmd"`. */
  type: typeof FrameType.command;
  /** The command. */
  data: CommandData & JsonObject;
}

function targetList(target: Target): string[] {
  return typeof target === "string" ? [target] : [...target];
}

/**
 * The seed's `commandmessage`: a command for `target` (default `"server"`).
 *
 * @param cmd - The command's name.
 * @param sender - The sender's name (the relay overwrites it with the identified name).
 * @param target - One name or a list of names. Default `"server"`.
 * @param kwargs - Keyword arguments. Default `{}`.
 * @param args - Positional arguments. Default `[]`.
 * @example
 * ```ts
 * commandMessage("pass_ball", "Player1", "Player2", { catch: true });
 * // {"type":"cmd","data":{"cmd":"pass_ball","args":[],"kwargs":{"catch":true}},"from":"Player1","target":["Player2"]}
 * ```
 */
export function commandMessage(
  cmd: string,
  sender: string,
  target: Target = SERVER,
  kwargs: JsonObject = {},
  args: Json[] = [],
): OutgoingCommand {
  return {
    type: FrameType.command,
    data: { cmd, args, kwargs },
    from: sender,
    target: targetList(target),
  };
}

/**
 * A log line with a level: `{"type":"message","data":{"content","title","level"}}`.
 *
 * @param content - The text.
 * @param level - `"debug"`, `"info"`, `"warning"` or `"error"`.
 * @param sender - The sender's name.
 * @param target - One name or a list of names.
 * @param title - A title. Default `""`.
 * @example
 * ```ts
 * levelMessage("laser warming up", "warning", "Laser", "Console", "status");
 * ```
 */
export function levelMessage(
  content: string,
  level: Level,
  sender: string,
  target: Target,
  title = "",
): OutgoingFrame {
  return {
    type: FrameType.message,
    data: { content, title, level },
    from: sender,
    target: targetList(target),
  };
}

/**
 * A log line at level `"info"`: {@link levelMessage} without the level.
 *
 * @example
 * ```ts
 * simpleMessage("hello", "Player1", "Player2");
 * ```
 */
export function simpleMessage(
  content: string,
  sender: string,
  target: Target,
  title = "",
): OutgoingFrame {
  return levelMessage(content, "info", sender, target, title);
}

/**
 * One data point of a named series, for live plots: `{"type":"data","data":{"key","x","y","t"}}`.
 *
 * @param key - The series' name.
 * @param x - The x value.
 * @param y - The y value.
 * @param sender - The sender's name.
 * @param target - One name or a list of names.
 * @param t - A time stamp in seconds since 1970. Default: now.
 * @example
 * ```ts
 * dataPointMessage("temperature", 12, 21.5, "Sensor", "Plotter");
 * ```
 */
export function dataPointMessage(
  key: string,
  x: number,
  y: number,
  sender: string,
  target: Target,
  t: number = Date.now() / 1000,
): OutgoingFrame {
  return {
    type: FrameType.data,
    data: { key, x, y, t },
    from: sender,
    target: targetList(target),
  };
}

/** A command from the relay to `target` (default `["server"]`, as in the handshake). */
export function serverCommand(
  cmd: string,
  kwargs: JsonObject,
  target: string[] = [SERVER],
): OutgoingCommand {
  return { type: FrameType.command, data: { cmd, args: [], kwargs }, from: SERVER, target };
}

/** The first handshake frame: the relay asks the client to identify. */
export function identifyRequest(requiresPassword: boolean): OutgoingCommand {
  return serverCommand(Command.identify, { requires_password: requiresPassword });
}

/** The second handshake frame: the room's epoch in seconds since 1970. */
export function setTime(time: number): OutgoingCommand {
  return serverCommand(Command.setTime, { time });
}

/** The relay's answer to a wrong password (the handshake follows). */
export function passwordReset(): OutgoingCommand {
  return serverCommand(Command.passwordReset, {});
}

/** The relay's acknowledgement of an identify (only to clients that asked for capabilities). */
export function identified(kwargs: IdentifiedKwargs): OutgoingCommand {
  const { mail, roster, ...rest } = kwargs;
  const payload: JsonObject = { ...rest };
  if (mail !== undefined) payload.mail = { ...mail };
  if (roster !== undefined) {
    payload.roster = { members: roster.members.map((member) => ({ ...member })) };
    if (roster.next !== undefined) payload.roster.next = roster.next;
  }
  return serverCommand(Command.identified, payload, [kwargs.name]);
}

/** An error report from the relay to the client `name`. */
export function errorFrame(name: string, data: ErrorData): OutgoingFrame {
  const payload: JsonObject = { code: data.code, message: data.message, ref: { ...data.ref } };
  if (data.targets !== undefined) payload.targets = data.targets;
  return { type: FrameType.error, data: payload, from: SERVER, target: [name] };
}

/** The relay's confirmation that it took the frame or batch `id` from the client `name`. */
export function ackFrame(name: string, id: string | number): OutgoingFrame {
  return { type: FrameType.ack, data: { id }, from: SERVER, target: [name] };
}
