/**
 * The identify handshake: password, name rules, one socket per name, capabilities.
 *
 * @module
 */

import {
  type CapabilityName,
  CloseCode,
  checkName,
  ErrorCode,
  type FrameRef,
  IdentifyField,
  identified,
  type JsonObject,
  own,
  passwordReset,
} from "../protocol/index.js";
import type { Socket } from "./connections.js";
import { close, type RoomContext, report, send, sendHandshake } from "./context.js";
import { logEvent } from "./log.js";
import { passwordMatches } from "./password.js";
import { isCapability, type Session } from "./session.js";

function requestedCapabilities(kwargs: JsonObject): CapabilityName[] {
  const asked = own(kwargs, IdentifyField.capabilities);
  if (!Array.isArray(asked)) return [];
  return [...new Set(asked.filter(isCapability))];
}

/**
 * Handles an identify command (either spelling) from a socket.
 *
 * Order: capabilities (so that refusals can be reported), password, name rules, name held
 * by another socket. A refused identify leaves the socket unidentified or closes it; an
 * accepted one stores the name in the socket's attachment.
 */
export function identify<S extends Socket>(
  room: RoomContext<S>,
  socket: S,
  session: Session,
  kwargs: JsonObject,
  ref: FrameRef,
): void {
  const capabilities = requestedCapabilities(kwargs);
  // Refusals are reported under the name asked for, with the capabilities asked for.
  const asked = own(kwargs, IdentifyField.name);
  const reportTo: Session = {
    ...session,
    name: session.name ?? (typeof asked === "string" ? asked : "?"),
    capabilities: session.name === undefined ? capabilities : session.capabilities,
  };

  if (room.password !== undefined) {
    const given = own(kwargs, IdentifyField.password);
    if (typeof given !== "string" || !passwordMatches(given, room.password)) {
      session.passwordTries += 1;
      logEvent(room.name, "refused", { name: reportTo.name, reason: ErrorCode.badPassword });
      room.connections.save(socket, session);
      report(socket, reportTo, {
        code: ErrorCode.badPassword,
        message: typeof given === "string" ? "wrong password" : "this room needs a password",
        ref,
      });
      if (session.passwordTries >= room.limits.maxPasswordTries) {
        close(socket, CloseCode.badPassword, "too many wrong passwords");
        return;
      }
      send(socket, JSON.stringify(passwordReset()));
      sendHandshake(room, socket);
      return;
    }
  }

  const problem = typeof asked === "string" ? checkName(asked) : "kwargs.name must be a string";
  if (typeof asked !== "string" || problem !== undefined) {
    logEvent(room.name, "refused", { name: reportTo.name, reason: ErrorCode.badName });
    report(socket, reportTo, { code: ErrorCode.badName, message: `bad name: ${problem}`, ref });
    close(socket, CloseCode.badName, "bad name");
    return;
  }

  if (session.name !== undefined && session.name !== asked) {
    logEvent(room.name, "refused", { name: asked, reason: ErrorCode.alreadyIdentified });
    report(socket, session, {
      code: ErrorCode.alreadyIdentified,
      message: `this socket is already identified as "${session.name}"`,
      ref,
    });
    return;
  }

  const holder = room.connections.byName(asked);
  if (holder !== undefined && holder !== socket) {
    logEvent(room.name, "refused", { name: asked, reason: ErrorCode.nameTaken });
    report(socket, reportTo, {
      code: ErrorCode.nameTaken,
      message: `the name "${asked}" is held by another connected client`,
      ref,
    });
    close(socket, CloseCode.nameTaken, "name taken");
    return;
  }

  const granted =
    session.name === undefined ? room.connections.identify(socket, asked, capabilities) : session;
  logEvent(room.name, "identified", { name: asked });
  if (granted.capabilities.length > 0) {
    send(
      socket,
      JSON.stringify(
        identified({ name: asked, capabilities: granted.capabilities, time: room.epoch }),
      ),
    );
  }
}
