/**
 * The commands a client can send to the relay itself (target `"server"`).
 *
 * @module
 */

import {
  Command,
  type CommandEnvelope,
  ErrorCode,
  type FrameRef,
  serverCommand,
} from "../protocol/index.js";
import type { Socket } from "./connections.js";
import { type RoomContext, report, send } from "./context.js";
import { identify } from "./identify.js";
import type { Session } from "./session.js";

/**
 * Runs a server command from an identified client. Unknown commands and `close_socket`
 * are reported, never run.
 */
export function runServerCommand<S extends Socket>(
  room: RoomContext<S>,
  socket: S,
  session: Session,
  name: string,
  frame: CommandEnvelope,
  ref: FrameRef,
): void {
  const { cmd, kwargs } = frame.data;
  switch (cmd) {
    case Command.identify:
    case Command.identifyAlias:
      identify(room, socket, session, kwargs, ref);
      return;
    case Command.ping:
      send(
        room,
        socket,
        JSON.stringify(serverCommand(Command.pong, { ...kwargs, time: Date.now() / 1000 }, [name])),
      );
      return;
    case Command.listClients:
      send(
        room,
        socket,
        JSON.stringify(serverCommand(Command.clients, { names: room.connections.names() }, [name])),
      );
      return;
    case Command.closeSocket:
      report(room, socket, session, {
        code: ErrorCode.forbiddenCommand,
        message: "close_socket is refused: no client may shut a shared room",
        ref,
      });
      return;
    default:
      report(room, socket, session, {
        code: ErrorCode.unknownCommand,
        message: `the relay has no command "${cmd.slice(0, 64)}"`,
        ref,
      });
  }
}
