/**
 * Going away: what a room does when the relay on one machine stops. Before it ends workerd, the
 * local server posts the rooms it served to the Worker's going-away route
 * (`going-away-route.ts`); the Worker asks each room (`Room.goAway()`, a Durable Object RPC,
 * which wakes a hibernated room with its sockets) to close every socket with `1001` ("going
 * away": a client should reconnect), and answers once the clients have answered the close,
 * within a bounded time, so that the close frames are out before the runtime ends.
 *
 * @module
 */

import { CloseCode } from "wscomsrv-protocol";
import type { Socket } from "./connections.js";
import { close, type RoomContext } from "./context.js";

/** The reason of the `1001` close the relay sends when it stops. */
export const GOING_AWAY_REASON = "relay stopping";

/** How long a room waits, at most, for its clients to answer the close: 500 ms. */
export const GOING_AWAY_WAIT_MS = 500;

/** The sockets a room closed for going away, until each has answered or failed. */
export class GoingAway<S extends Socket> {
  readonly #open = new Set<S>();
  #done: (() => void) | undefined;

  /**
   * Closes every socket of `room` with {@link GOING_AWAY_REASON}, after the frames queued for
   * it, and resolves once each has closed, or after `waitMs`; resolves with how many there were.
   */
  async start(room: RoomContext<S>, waitMs: number = GOING_AWAY_WAIT_MS): Promise<number> {
    for (const [socket] of [...room.connections.sessions()]) {
      this.#open.add(socket);
      close(room, socket, CloseCode.goingAway, GOING_AWAY_REASON);
    }
    room.outbox.flush();
    const count = this.#open.size;
    if (count === 0) return 0;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.#done = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return count;
  }

  /**
   * `socket` closed or failed; true when it was one this closed, whose client's `1001` is then
   * its answer, not a goodbye of its own.
   */
  gone(socket: S): boolean {
    if (!this.#open.delete(socket)) return false;
    if (this.#open.size === 0) this.#done?.();
    return true;
  }
}
