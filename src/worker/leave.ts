/**
 * What a room does when a socket stops holding its name, whichever way it went (it closed, it
 * failed, the room closed it, a newcomer took the name over): the one place where what the
 * room keeps per held name is let go or put aside.
 *
 * @module
 */

import { leaveCalls } from "./calls.js";
import type { Socket } from "./connections.js";
import type { RoomContext } from "./context.js";
import { departureOf } from "./roster.js";
import type { Session } from "./session.js";

/**
 * A socket stopped holding `session.name`, at `now` (ms since 1970), in the current event.
 * The name is free already.
 */
export function leave<S extends Socket>(
  room: RoomContext<S>,
  socket: S,
  session: Session & { name: string },
  now: number,
): void {
  leaveCalls(room, session.name);
  room.acks.forget(socket);
  room.presence.depart(socket, session.name, departureOf(room, socket, session));
  // Its mail is kept for the window, then expires.
  if (room.mail.release(socket, now) !== undefined) room.scheduleSweep(now + room.mail.windowMs);
}
