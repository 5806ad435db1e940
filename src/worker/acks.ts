/**
 * When the room acks a frame (capability `acks`). A frame the room sent to a receiver with
 * `delivery` is safe only once that receiver confirmed it, or once it is in the room's
 * storage; until then its ack waits, and so does every later ack of the same socket (acks
 * are cumulative). A sender thus keeps every frame that a reset of the room could still lose,
 * and sends it again after it reconnects.
 *
 * @module
 */

import type { Socket } from "./connections.js";

/** The part of an event the acks read: the socket it came from (the event is its key). */
interface AckEvent<S> {
  readonly socket: S;
}

/** What one event's frames wait for before their ack may go: the deliveries not yet safe. */
export interface Ticket {
  /** Deliveries of the event not yet confirmed or stored. */
  pending: number;
}

interface Waiting {
  readonly id: string | number;
  readonly ticket: Ticket;
}

const SAFE: Ticket = Object.freeze({ pending: 0 });

/** The acks of every socket that wait for their frames to be safe. */
export class AckLines<S extends Socket> {
  readonly #lines = new Map<S, Waiting[]>();
  readonly #owners = new WeakMap<Ticket, S>();
  readonly #tickets = new WeakMap<object, Ticket>();
  readonly #send: (socket: S, id: string | number) => void;

  /** @param send - Sends the ack of `id` to `socket` (it confirms every earlier frame too). */
  constructor(send: (socket: S, id: string | number) => void) {
    this.#send = send;
  }

  /** The ticket of `event`'s frames: each delivery that must become safe takes a count on it. */
  ticketFor(event: AckEvent<S>): Ticket {
    let ticket = this.#tickets.get(event);
    if (ticket === undefined) {
      ticket = { pending: 0 };
      this.#tickets.set(event, ticket);
      this.#owners.set(ticket, event.socket);
    }
    return ticket;
  }

  /**
   * The event's frame or batch `id` was taken: acked now when nothing of it or before it
   * waits, otherwise when it is safe.
   */
  acknowledge(event: AckEvent<S>, id: string | number): void {
    const ticket = this.#tickets.get(event) ?? SAFE;
    const line = this.#lines.get(event.socket);
    if (line === undefined && ticket.pending === 0) {
      this.#send(event.socket, id);
      return;
    }
    if (line === undefined) this.#lines.set(event.socket, [{ id, ticket }]);
    else line.push({ id, ticket });
  }

  /** One delivery of `ticket` became safe: acks that waited only for it go out. */
  settle(ticket: Ticket): void {
    ticket.pending -= 1;
    if (ticket.pending > 0) return;
    const socket = this.#owners.get(ticket);
    if (socket === undefined) return;
    const line = this.#lines.get(socket);
    if (line === undefined) return;
    let safe = 0;
    while (safe < line.length && (line[safe] as Waiting).ticket.pending === 0) safe += 1;
    if (safe === 0) return;
    // Acks are cumulative: the last safe one confirms the others.
    const last = (line[safe - 1] as Waiting).id;
    if (safe === line.length) this.#lines.delete(socket);
    else line.splice(0, safe);
    this.#send(socket, last);
  }

  /** Forgets a socket that is gone: its waiting acks will never be sent. */
  forget(socket: S): void {
    this.#lines.delete(socket);
  }
}
