/**
 * The entry for every frame a room receives: decode, then identify or route.
 *
 * @module
 */

import { Command, decodeFrame, ErrorCode, isCommand, refOf, SERVER } from "../protocol/index.js";
import type { Socket } from "./connections.js";
import { type RoomContext, report, sendHandshake } from "./context.js";
import { identify } from "./identify.js";
import { route } from "./router.js";

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
