/**
 * Everything a room sends while it handles one event, held until the event ends and then
 * sent in order per socket. A client with the `batch` capability gets what the event produced
 * for it as one `batch` frame: one send instead of many, on both sides.
 *
 * @module
 */

import { Capability, FrameType, SERVER } from "../protocol/index.js";
import type { Socket } from "./connections.js";
import { has, type Session } from "./session.js";

/** Sends a frame now, ignoring a socket that is already closing. */
export function sendNow(socket: Socket, text: string): void {
  try {
    socket.send(text);
  } catch {
    // The socket closed under us; its close handler cleans up.
  }
}

/** Closes a socket now, ignoring one that is already closed. */
export function closeNow(socket: Socket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Already closed.
  }
}

/**
 * The text of a batch frame from the relay to `name` holding already serialised frames,
 * built without parsing or serialising them again.
 */
export function batchText(name: string, frames: readonly string[]): string {
  return `{"type":"${FrameType.batch}","data":[${frames.join(",")}],"from":"${SERVER}","target":${JSON.stringify([name])}}`;
}

/** The frames and closes of one event, per socket, in order. */
export class Outbox<S extends Socket> {
  readonly #frames = new Map<S, string[]>();
  readonly #closes = new Map<S, [number, string]>();
  readonly #sessionOf: (socket: S) => Session | undefined;

  /** `sessionOf` tells, at flush time, whether a socket takes batches. */
  constructor(sessionOf: (socket: S) => Session | undefined) {
    this.#sessionOf = sessionOf;
  }

  /** Queues a frame for `socket`. */
  push(socket: S, text: string): void {
    const queue = this.#frames.get(socket);
    if (queue === undefined) this.#frames.set(socket, [text]);
    else queue.push(text);
  }

  /** Queues a close of `socket`, after the frames queued for it. */
  close(socket: S, code: number, reason: string): void {
    if (!this.#closes.has(socket)) this.#closes.set(socket, [code, reason]);
  }

  /** Sends everything queued, then closes what was to be closed. */
  flush(): void {
    for (const [socket, texts] of this.#frames) {
      const session = texts.length > 1 ? this.#sessionOf(socket) : undefined;
      if (session?.name !== undefined && has(session, Capability.batch)) {
        sendNow(socket, batchText(session.name, texts));
      } else {
        for (const text of texts) sendNow(socket, text);
      }
    }
    this.#frames.clear();
    for (const [socket, [code, reason]] of this.#closes) closeNow(socket, code, reason);
    this.#closes.clear();
  }
}
