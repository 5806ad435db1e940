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

/** How long an ack waits for other frames to ride with, in milliseconds. */
export const ACK_DELAY_MS = 20;

/** The frames and closes of one event, per socket, in order, and the acks not yet sent. */
export class Outbox<S extends Socket> {
  readonly #frames = new Map<S, string[]>();
  readonly #closes = new Map<S, [number, string]>();
  readonly #acks = new Map<S, string>();
  readonly #sessionOf: (socket: S) => Session | undefined;
  readonly #ackDelayMs: number;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `sessionOf` tells, at flush time, whether a socket takes batches; `ackDelayMs` is how
   * long an ack may wait for company (default {@link ACK_DELAY_MS}).
   */
  constructor(sessionOf: (socket: S) => Session | undefined, ackDelayMs = ACK_DELAY_MS) {
    this.#sessionOf = sessionOf;
    this.#ackDelayMs = ackDelayMs;
  }

  /**
   * Holds an ack for `socket`, replacing one it holds already (acks are cumulative: the later
   * id confirms the earlier frames too). It goes out at the end of the first event that sends
   * `socket` anything else, as part of the same batch, or on its own after the ack delay: so
   * a client that is sent frames anyway pays no extra message for its acks.
   */
  ack(socket: S, text: string): void {
    this.#acks.set(socket, text);
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

  /** Sends everything queued (with the acks that can ride along), then closes what was to be closed. */
  flush(): void {
    for (const [socket, text] of this.#acks) {
      const queue = this.#frames.get(socket);
      if (queue === undefined) continue;
      queue.push(text);
      this.#acks.delete(socket);
    }
    for (const [socket, texts] of this.#frames) {
      const session = texts.length > 1 ? this.#sessionOf(socket) : undefined;
      if (session?.name !== undefined && has(session, Capability.batch)) {
        sendNow(socket, batchText(session.name, texts));
      } else {
        for (const text of texts) sendNow(socket, text);
      }
    }
    this.#frames.clear();
    for (const [socket, [code, reason]] of this.#closes) {
      // What the room took from a socket it closes is still confirmed.
      this.sendAckNow(socket);
      closeNow(socket, code, reason);
    }
    this.#closes.clear();
    if (this.#acks.size > 0 && this.#ackTimer === undefined) {
      this.#ackTimer = setTimeout(() => this.#flushAcks(), this.#ackDelayMs);
    }
  }

  /** Sends `socket`'s held ack now, if it has one (before the room answers its close). */
  sendAckNow(socket: S): void {
    const text = this.#acks.get(socket);
    if (text === undefined) return;
    this.#acks.delete(socket);
    sendNow(socket, text);
  }

  /** Sends the acks that found no company in time. */
  #flushAcks(): void {
    this.#ackTimer = undefined;
    for (const [socket, text] of this.#acks) this.push(socket, text);
    this.#acks.clear();
    this.flush();
  }
}
