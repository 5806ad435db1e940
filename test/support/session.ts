/**
 * Runtime-neutral helpers on top of an {@link Inbox}: identify, and wait until the relay has
 * handled everything a socket sent. Used by the tests in workerd and in Node alike.
 */

import { cmd, type Frame, type Inbox } from "./inbox.js";

/** Reads the handshake, identifies as `name` and waits until the relay has taken it. */
export async function identifyAs(
  inbox: Inbox,
  name: string,
  kwargs: Record<string, unknown> = {},
): Promise<Inbox> {
  await inbox.take(2);
  inbox.send(cmd("indentify", { name, ...kwargs }, "server", name));
  if (Array.isArray(kwargs.capabilities) && kwargs.capabilities.length > 0) {
    const ack = await inbox.next();
    if (commandOf(ack) !== "identified") {
      throw new Error(`expected "identified", got ${JSON.stringify(ack)}`);
    }
  } else {
    await sync(inbox, name);
  }
  // A live client answers the relay's questions whether it is still there.
  inbox.answerProbesAs = name;
  return inbox;
}

/** The command name of a frame, if it is a command. */
export function commandOf(frame: Frame): unknown {
  const data = frame.data;
  return frame.type === "cmd" && typeof data === "object" && data !== null && "cmd" in data
    ? data.cmd
    : undefined;
}

/**
 * Waits until the relay has handled everything `inbox` sent so far: sends a `ping` to the
 * relay and waits for its `pong`, returning the frames that came before it.
 */
export async function sync(inbox: Inbox, name: string): Promise<Frame[]> {
  const token = crypto.randomUUID();
  inbox.send(cmd("ping", { token }, "server", name));
  const before: Frame[] = [];
  for (;;) {
    const frame = await inbox.next();
    const kwargs = (frame.data as { kwargs?: { token?: unknown } } | undefined)?.kwargs;
    if (frame.from === "server" && commandOf(frame) === "pong" && kwargs?.token === token) {
      return before;
    }
    before.push(frame);
  }
}

/**
 * Asserts that `observer` received nothing since its last frame: `sender` (another identified
 * client) sends it a marker, and the marker must be the very next frame.
 */
export async function expectQuiet(
  observer: Inbox,
  sender: Inbox,
  observerName: string,
  senderName: string,
): Promise<void> {
  const marker = crypto.randomUUID();
  sender.send({ type: "marker", data: marker, from: senderName, target: [observerName] });
  const frame = await observer.next();
  if (frame.type !== "marker" || frame.data !== marker) {
    throw new Error(`${observerName} received ${JSON.stringify(frame)} before the marker`);
  }
}

/** The `time` kwarg of a `set_time` (or `identified`) frame; throws when there is none. */
export function timeOf(frame: Frame | undefined): number {
  const time = (frame?.data as { kwargs?: { time?: unknown } } | undefined)?.kwargs?.time;
  if (typeof time !== "number") throw new Error(`no time in ${JSON.stringify(frame)}`);
  return time;
}
