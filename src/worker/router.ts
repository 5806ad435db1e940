/**
 * Routing: who gets a frame from an identified client.
 *
 * @module
 */

import {
  Capability,
  type DecodedFrame,
  ErrorCode,
  EVERYONE,
  isCommand,
  refOf,
  SERVER,
} from "wscomsrv-protocol";
import { routeCall } from "./calls.js";
import type { Socket } from "./connections.js";
import { afford, type IdentifiedEvent, report, type SocketEvent } from "./context.js";
import { runServerCommand } from "./server-commands.js";
import { has } from "./session.js";

/** Where a frame goes: the sockets, the names that were not there, and the relay itself. */
export interface Delivery<S> {
  /** Sockets to deliver to, each once. */
  recipients: Set<S>;
  /** Named targets not connected, each once, in the order given. */
  missing: string[];
  /** True when `"server"` was a target. */
  toServer: boolean;
}

/**
 * Resolves the target list of a frame the event's socket sent: whole-name matches; `"*"` is
 * every identified client but the sender; `"server"` is the relay. Repeated names, and
 * repeated `"*"`, count once, so a list's cost is one walk of the room at most plus one
 * look-up per entry. A recipient that the room's liveness finds dead by the event's time
 * (and closes) counts as missing.
 */
export function resolveTargets<S extends Socket>(
  { room, socket: sender, now }: SocketEvent<S>,
  targets: readonly string[],
): Delivery<S> {
  const { connections, liveness } = room;
  const recipients = new Set<S>();
  const missing: string[] = [];
  let toServer = false;
  let everyone = false;
  for (const target of targets) {
    if (target === SERVER) {
      toServer = true;
    } else if (target === EVERYONE) {
      everyone = true;
    } else {
      const socket = connections.byName(target);
      if (socket !== undefined && !liveness.closeIfDead(socket, now)) recipients.add(socket);
      else if (!missing.includes(target)) missing.push(target);
    }
  }
  if (everyone) {
    for (const [, socket] of connections.identified()) {
      if (socket !== sender && !liveness.closeIfDead(socket, now)) recipients.add(socket);
    }
  }
  return { recipients, missing, toServer };
}

/**
 * Routes a decoded frame from an identified client: runs it as a server command when
 * `"server"` is a target, delivers it to every other target with `from` set to the sender's
 * name, and reports targets that were not connected.
 */
export function route<S extends Socket>(event: IdentifiedEvent<S>, frame: DecodedFrame): void {
  const { room } = event;
  const { envelope, fields } = frame;
  if (has(event.session, Capability.calls) && routeCall(event, frame)) return;
  // A walk of the whole room is paid for before it is made.
  if (
    envelope.target.includes(EVERYONE) &&
    !afford(event, room.connections.size - 1, 0, refOf(fields))
  ) {
    return;
  }
  const delivery = resolveTargets(event, envelope.target);
  if (delivery.toServer) {
    if (isCommand(envelope)) {
      runServerCommand(event, envelope, refOf(fields));
    } else {
      report(event, {
        code: ErrorCode.notACommand,
        message: `only commands (type "cmd") can be sent to "${SERVER}"`,
        ref: refOf(fields),
      });
    }
  }
  if (delivery.recipients.size > 0) {
    fields.from = event.session.name; // the decoded object is the room's own: stamp it in place
    const text = JSON.stringify(fields);
    const count = delivery.recipients.size;
    if (!afford(event, count, count * text.length, refOf(fields))) return;
    for (const recipient of delivery.recipients) room.outbox.send(recipient, text);
  }
  if (delivery.missing.length > 0) {
    report(event, {
      code: ErrorCode.undelivered,
      message: `not connected: ${delivery.missing.join(", ").slice(0, 200)}`,
      ref: refOf(fields),
      targets: delivery.missing,
    });
  }
}
