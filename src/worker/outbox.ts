/**
 * Everything a room sends while it handles one event, held until the event ends and then
 * sent in order per socket. A client with the `batch` capability gets what the event produced
 * for it as `batch` frames: one send instead of many, on both sides.
 *
 * The outbox is also where the cost of an event is bounded: it counts the deliveries and the
 * characters one event queues ({@link Outbox.admit}), and what each socket has been sent
 * without showing that it reads ({@link Outbox.proven}).
 *
 * Every frame the room sends a socket goes in through one door, {@link Outbox.send}, and
 * out through {@link Outbox.flush}; nothing else in the room calls the socket's `send`. The
 * only frames the outbox writes itself are its probe, which {@link Outbox.ask} asks for, and
 * the acks it holds ({@link Outbox.ack}), each written only when it goes out.
 *
 * @module
 */

import { ackFrame, Capability, CloseCode, FrameType, type Limits, SERVER } from "wscomsrv-protocol";
import type { Socket } from "./connections.js";
import { has, type Session } from "./session.js";

/** Sends a frame now, ignoring a socket that is already closing. */
function sendNow(socket: Socket, text: string): void {
  try {
    socket.send(text);
  } catch {
    // The socket closed under us; its close handler cleans up.
  }
}

/** Closes a socket now, ignoring one that is already closed. */
function closeNow(socket: Socket, code: number, reason: string): void {
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

/**
 * How a frame rides out: `"event"` with the other frames of the current event; `"peer"` the
 * same, for a frame from a peer (a socket with `delivery` gets its event's peer frames
 * numbered, after a `mail` frame).
 */
export type Ride = "event" | "peer";

/** The ack a socket holds: the latest frame id the room took from it, and its name. */
interface HeldAck {
  name: string;
  id: string | number;
}

function ackText({ name, id }: HeldAck): string {
  return JSON.stringify(ackFrame(name, id));
}

/** How long an ack waits for other frames to ride with, in milliseconds. */
export const ACK_DELAY_MS = 20;

/** The limits the outbox enforces. */
export type OutboxLimits = Pick<
  Limits,
  "maxEventDeliveries" | "maxEventBytes" | "maxSocketBacklogBytes" | "maxFrameBytes"
>;

/** What the outbox needs from its room. */
export interface OutboxRoom<S> {
  /** The socket's session, at flush time: whether it takes batches. */
  sessionOf(socket: S): Session | undefined;
  /** Forgets a socket the outbox closes because it does not read. */
  retire(socket: S): void;
  /** The frame that asks a socket to show that it reads: the room's `indentify`. */
  readonly probe: string;
  /**
   * Finishes the event that ends, before anything is sent: tells the roster's changes (which
   * may send more frames) and writes the mail.
   */
  beforeFlush(): void;
  /** The `mail` frame to put before the event's peer frames for `socket`, if it takes mail. */
  markFor(socket: S): string | undefined;
  /** The limits in force. */
  readonly limits: OutboxLimits;
}

/**
 * One socket's queue: the frames of the current event, and what the room sent it in all, in
 * characters, and how much of that the socket showed it read. Kept between events, so that a
 * delivery costs one map look-up for both.
 */
interface Queue<S> {
  readonly socket: S;
  /** The frames of the current event. */
  texts: string[];
  /** Their characters. */
  chars: number;
  /** True while the queue is in this event's list (it has frames, or a probe to send). */
  touched: boolean;
  /** True when the room asked for a probe in this event. */
  asked: boolean;
  /** Where the event's first peer frame is in `texts`; -1 when it has none. */
  firstPeer: number;
  sent: number;
  proven: number;
  /** `sent` when the outstanding probe went out; `undefined` when none is outstanding. */
  probeAt: number | undefined;
}

/**
 * The most characters a text may hold and still be at most `maxBytes` of UTF-8, whatever
 * they are: a character (UTF-16 code unit) is at most 3 bytes (a surrogate pair: 4 for 2).
 */
export function charsWithin(maxBytes: number): number {
  return Math.floor(maxBytes / 3);
}

/**
 * Groups frame texts into batches of at most `maxChars` characters each (a frame longer than
 * that goes alone), keeping their order.
 */
export function batchGroups(texts: readonly string[], maxChars: number): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let chars = 0;
  for (const text of texts) {
    if (group.length > 0 && chars + text.length > maxChars) {
      groups.push(group);
      group = [];
      chars = 0;
    }
    group.push(text);
    chars += text.length + 1;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** The frames and closes of one event, per socket, in order, and the acks not yet sent. */
export class Outbox<S extends Socket> {
  readonly #queues = new Map<S, Queue<S>>();
  /** The queues with something to send in this event, in the order they got it. */
  readonly #touched: Queue<S>[] = [];
  readonly #closes = new Map<S, [number, string]>();
  readonly #acks = new Map<S, HeldAck>();
  readonly #room: OutboxRoom<S>;
  readonly #ackDelayMs: number;
  /** The largest batch the room builds, in characters: one that cannot pass `maxFrameBytes`. */
  readonly #maxBatchChars: number;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #deliveries = 0;
  #chars = 0;

  /** `ackDelayMs` is how long an ack may wait for company (default {@link ACK_DELAY_MS}). */
  constructor(room: OutboxRoom<S>, ackDelayMs = ACK_DELAY_MS) {
    this.#room = room;
    this.#ackDelayMs = ackDelayMs;
    // Room for the batch's own envelope.
    this.#maxBatchChars = charsWithin(room.limits.maxFrameBytes) - 128;
  }

  /**
   * Whether the current event may still send `deliveries` frames of `chars` characters in
   * all (`maxEventDeliveries`, `maxEventBytes`). Asked before a frame is routed, so that a
   * frame is delivered to all of its recipients or to none.
   */
  admit(deliveries: number, chars: number): boolean {
    const { maxEventDeliveries, maxEventBytes } = this.#room.limits;
    return (
      this.#deliveries + deliveries <= maxEventDeliveries && this.#chars + chars <= maxEventBytes
    );
  }

  /** Counts `deliveries` of work that sends nothing (a walk of the room) against the event. */
  charge(deliveries: number): void {
    this.#deliveries += deliveries;
  }

  /** The queue of `socket`, in this event's list. */
  #queue(socket: S): Queue<S> {
    let queue = this.#queues.get(socket);
    if (queue === undefined) {
      queue = {
        socket,
        texts: [],
        chars: 0,
        touched: false,
        asked: false,
        firstPeer: -1,
        sent: 0,
        proven: 0,
        probeAt: undefined,
      };
      this.#queues.set(socket, queue);
    }
    if (!queue.touched) {
      queue.touched = true;
      this.#touched.push(queue);
    }
    return queue;
  }

  /**
   * The one way in for a frame to `socket`: queues it with the frames of the current event,
   * counted against the event's budget (`ride`: see {@link Ride}; default `"event"`).
   */
  send(socket: S, text: string, ride: Ride = "event"): void {
    this.#deliveries += 1;
    this.#chars += text.length;
    const queue = this.#queue(socket);
    if (ride === "peer" && queue.firstPeer < 0) queue.firstPeer = queue.texts.length;
    queue.texts.push(text);
    queue.chars += text.length;
  }

  /**
   * Holds the ack of frame `id` for `socket`, which holds `name`, replacing one held already
   * (acks are cumulative: the later id confirms the earlier frames too). It goes out at the end
   * of the first event that sends `socket` anything else, as part of the same batch, or on its
   * own after the ack delay: so a client that is sent frames anyway pays no extra message for
   * its acks. Its text is written only then: an ack replaced before it goes costs nothing.
   */
  ack(socket: S, name: string, id: string | number): void {
    const held = this.#acks.get(socket);
    if (held === undefined) {
      this.#acks.set(socket, { name, id });
    } else {
      held.name = name;
      held.id = id;
    }
  }

  /** Queues a close of `socket`, after the frames queued for it. */
  close(socket: S, code: number, reason: string): void {
    if (!this.#closes.has(socket)) this.#closes.set(socket, [code, reason]);
  }

  /**
   * Asks `socket` to identify again (the room's probe), at the end of this event, after what
   * is queued for it; a socket already asked, whose answer has not come, is not asked twice.
   * The answer shows that it reads ({@link proven}) and that it is alive.
   */
  ask(socket: S): void {
    this.#queue(socket).asked = true;
  }

  /**
   * Takes an identify from `socket` as its answer to an outstanding probe: everything sent
   * before the probe has been read.
   *
   * @returns true when a probe was outstanding (the identify answers it, and needs no answer).
   */
  proven(socket: S): boolean {
    const queue = this.#queues.get(socket);
    if (queue?.probeAt === undefined) return false;
    queue.proven = queue.probeAt;
    queue.probeAt = undefined;
    return true;
  }

  /**
   * Forgets a socket that closed. With `answer`, completes its close handshake with that
   * code, after the ack it holds: a client that closes right after sending still learns what
   * the room took.
   */
  forget(socket: S, answer?: number): void {
    this.#queues.delete(socket);
    if (answer !== undefined) this.#closeAfterAck(socket, answer, "");
  }

  /** Sends everything queued (with the acks that can ride along), then closes what was to be closed. */
  flush(): void {
    this.#room.beforeFlush();
    for (const queue of this.#touched) {
      const { socket, texts } = queue;
      // A held ack rides with the event's frames: a look-up per socket sent to, not a walk
      // over every socket whose ack waits.
      const held = texts.length > 0 ? this.#acks.get(socket) : undefined;
      if (held !== undefined) {
        const ack = ackText(held);
        texts.push(ack);
        queue.chars += ack.length;
        this.#acks.delete(socket);
      }
      if (queue.firstPeer >= 0) {
        const mark = this.#room.markFor(socket);
        if (mark !== undefined) {
          texts.splice(queue.firstPeer, 0, mark);
          queue.chars += mark.length;
        }
      }
      if (this.#account(queue) && texts.length > 0) {
        const session = texts.length > 1 ? this.#room.sessionOf(socket) : undefined;
        if (session?.name !== undefined && has(session, Capability.batch)) {
          if (queue.chars + texts.length <= this.#maxBatchChars) {
            sendNow(socket, batchText(session.name, texts));
          } else {
            for (const group of batchGroups(texts, this.#maxBatchChars)) {
              if (group.length === 1) sendNow(socket, group[0] as string);
              else sendNow(socket, batchText(session.name, group));
            }
          }
        } else {
          for (const text of texts) sendNow(socket, text);
        }
      }
      texts.length = 0; // sent: the array is the queue's again for its next event
      queue.chars = 0;
      queue.touched = false;
      queue.asked = false;
      queue.firstPeer = -1;
    }
    this.#touched.length = 0;
    this.#deliveries = 0;
    this.#chars = 0;
    for (const [socket, [code, reason]] of this.#closes) {
      this.#closeAfterAck(socket, code, reason);
      this.#queues.delete(socket);
    }
    this.#closes.clear();
    if (this.#acks.size > 0 && this.#ackTimer === undefined) {
      this.#ackTimer = setTimeout(() => this.#flushAcks(), this.#ackDelayMs);
    }
  }

  /**
   * Counts what is about to be sent to the queue's socket: when it was asked, or past a
   * quarter of the backlog budget, it adds a probe to its frames (unless one is outstanding);
   * past the whole budget it retires the socket and queues its close.
   *
   * @returns false when nothing may be sent to the socket.
   */
  #account(queue: Queue<S>): boolean {
    const { chars } = queue;
    const budget = this.#room.limits.maxSocketBacklogBytes;
    if (queue.sent + chars - queue.proven > budget) {
      this.#room.retire(queue.socket);
      this.#acks.delete(queue.socket);
      this.close(queue.socket, CloseCode.notReading, "not reading");
      return false;
    }
    queue.sent += chars;
    if (queue.probeAt === undefined && (queue.asked || queue.sent - queue.proven > budget / 4)) {
      queue.texts.push(this.#room.probe);
      queue.chars += this.#room.probe.length;
      queue.sent += this.#room.probe.length;
      queue.probeAt = queue.sent;
    }
    return true;
  }

  /**
   * Closes `socket` now, after its held ack, if it has one: what the room took from a socket
   * it closes, or that closes, is still confirmed.
   */
  #closeAfterAck(socket: S, code: number, reason: string): void {
    const held = this.#acks.get(socket);
    if (held !== undefined) {
      this.#acks.delete(socket);
      sendNow(socket, ackText(held));
    }
    closeNow(socket, code, reason);
  }

  /** Sends the acks that found no company in time. */
  #flushAcks(): void {
    this.#ackTimer = undefined;
    for (const [socket, held] of this.#acks) this.send(socket, ackText(held));
    this.#acks.clear();
    this.flush();
  }
}
