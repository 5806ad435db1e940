/**
 * The commands a client can send to the relay itself (target `"server"`).
 *
 * @module
 */

import {
  Capability,
  Command,
  type CommandEnvelope,
  decodeReceived,
  ErrorCode,
  type FrameRef,
  type JsonObject,
  own,
  serverCommand,
} from "wscomsrv-protocol";
import type { Socket } from "./connections.js";
import { afford, type IdentifiedEvent, report } from "./context.js";
import { confirmMail } from "./deliver.js";
import { identify } from "./identify.js";
import { charsWithin } from "./outbox.js";
import { answerRoster, MAX_ROSTER_PAGE, rosterPage } from "./roster.js";
import { has } from "./session.js";

/**
 * Answers `list_clients` with a page of the names present, sorted: kwargs `after` (start
 * after this name) and `limit` (1 to {@link MAX_ROSTER_PAGE}, the default) choose the page;
 * the answer's `next`, when present, is the `after` of the next page. Dead heartbeating
 * sockets are closed first, so they are not listed. The walk of the room counts one
 * delivery per name against the event's budget.
 */
function listClients<S extends Socket>(
  event: IdentifiedEvent<S>,
  kwargs: JsonObject,
  ref: FrameRef,
): void {
  const { room } = event;
  const size = room.connections.size;
  // Room for the answer's envelope and the sender's name.
  const maxChars = Math.max(256, charsWithin(room.limits.maxFrameBytes) - 256);
  // A name is at most 64 characters: at most 70 of JSON with its quotes and comma.
  if (!afford(event, size, Math.min(maxChars, size * 70), ref)) return;
  room.outbox.charge(size);
  room.liveness.closeDead(event.now);
  const after = own(kwargs, "after");
  const limit = own(kwargs, "limit");
  const page = rosterPage(
    room.connections.names(),
    typeof after === "string" ? after : undefined,
    typeof limit === "number" && Number.isInteger(limit) && limit >= 1
      ? Math.min(limit, MAX_ROSTER_PAGE)
      : MAX_ROSTER_PAGE,
    maxChars,
  );
  const answer: JsonObject = { names: page.names };
  if (page.next !== undefined) answer.next = page.next;
  room.outbox.send(
    event.socket,
    JSON.stringify(serverCommand(Command.clients, answer, [event.session.name])),
  );
}

/**
 * Runs a server command from an identified client. Unknown commands and `close_socket`
 * are reported, never run.
 */
export function runServerCommand<S extends Socket>(
  event: IdentifiedEvent<S>,
  frame: CommandEnvelope,
  ref: FrameRef,
): void {
  const { cmd, kwargs } = frame.data;
  switch (cmd) {
    case Command.identify:
    case Command.identifyAlias:
      identify(event, kwargs, ref);
      return;
    case Command.ping: {
      const text = JSON.stringify(
        serverCommand(Command.pong, { ...kwargs, time: event.now / 1000 }, [event.session.name]),
      );
      if (afford(event, 1, text.length, ref)) event.room.outbox.send(event.socket, text);
      return;
    }
    case Command.received: {
      const received = decodeReceived(kwargs);
      if (received === undefined) {
        report(event, {
          code: ErrorCode.badEnvelope,
          message: "received needs kwargs.through, a whole number",
          ref,
        });
      } else {
        confirmMail(event, received.through);
      }
      return;
    }
    case Command.roster:
      if (has(event.session, Capability.presence)) {
        answerRoster(event, kwargs, ref);
        return;
      }
      break;
    case Command.listClients:
      listClients(event, kwargs, ref);
      return;
    case Command.closeSocket:
      report(event, {
        code: ErrorCode.forbiddenCommand,
        message: "close_socket is refused: no client may shut a shared room",
        ref,
      });
      return;
  }
  report(event, {
    code: ErrorCode.unknownCommand,
    message: `the relay has no command "${cmd.slice(0, 64)}"`,
    ref,
  });
}
