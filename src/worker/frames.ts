/**
 * The entry for every frame a room receives: decode, then identify or route.
 *
 * @module
 */

import {
  CloseCode,
  Command,
  decodeFrame,
  ErrorCode,
  isCommand,
  refOf,
  SERVER,
} from "../protocol/index.js";
import type { Socket } from "./connections.js";
import { close, type RoomContext, report, sendHandshake } from "./context.js";
import { identify } from "./identify.js";
import { route } from "./router.js";
import type { Session } from "./session.js";

/**
 * Applies the socket's rate limit before the frame costs anything: the first dropped frame
 * in a row is reported, and a socket that goes on is closed with 1008.
 *
 * @returns true when the frame may be handled.
 */
function withinRate<S extends Socket>(room: RoomContext<S>, socket: S, session: Session): boolean {
  const verdict = room.rateLimiter.take(socket, Date.now());
  if (verdict === "pass") return true;
  if (verdict === "first-drop") {
    report(socket, session, {
      code: ErrorCode.rateLimited,
      message: `over ${room.limits.framesPerSecond} frames per second: frames are dropped until the rate falls`,
      ref: {},
    });
  } else if (verdict === "close") {
    close(socket, CloseCode.policyViolation, "rate limit");
  }
  return false;
}

/**
 * Handles one incoming frame. Never throws for bad input: an unidentified socket gets the
 * handshake again (as with the seed); an identified one gets an error frame when it asked for
 * them, and the frame is dropped.
 */
export function handleFrame<S extends Socket>(
  room: RoomContext<S>,
  socket: S,
  message: string | ArrayBuffer,
): void {
  const session = room.connections.session(socket);
  if (!withinRate(room, socket, session)) return;
  if (typeof message !== "string") {
    if (session.name === undefined) sendHandshake(room, socket);
    else {
      report(socket, session, {
        code: ErrorCode.binaryFrame,
        message: "binary frames are not part of the protocol; send JSON in text frames",
        ref: {},
      });
    }
    return;
  }
  const result = decodeFrame(message, room.limits);
  const name = session.name;
  if (name === undefined) {
    if (result.ok) {
      const { envelope, fields } = result.frame;
      if (
        isCommand(envelope) &&
        envelope.target.includes(SERVER) &&
        (envelope.data.cmd === Command.identify || envelope.data.cmd === Command.identifyAlias)
      ) {
        identify(room, socket, session, envelope.data.kwargs, refOf(fields));
        return;
      }
    }
    sendHandshake(room, socket);
    return;
  }
  if (!result.ok) {
    report(socket, session, result.error);
    return;
  }
  route(room, socket, session, name, result.frame);
}
