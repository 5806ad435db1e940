/**
 * The identify handshake: password, token-bound names, name rules, one socket per name with a
 * proven takeover, and capabilities.
 *
 * @module
 */

import {
  Capability,
  type CapabilityName,
  CloseCode,
  checkName,
  ErrorCode,
  type ErrorCodeName,
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
import { newSecret } from "./name-store.js";
import { secretMatches } from "./secrets.js";
import { has, isCapability, type Session } from "./session.js";

function requestedCapabilities(kwargs: JsonObject): CapabilityName[] {
  const asked = own(kwargs, IdentifyField.capabilities);
  if (!Array.isArray(asked)) return [];
  return [...new Set(asked.filter(isCapability))];
}

/** An identify that is refused: what the client is told, and whether the socket is closed. */
interface Refusal {
  code: ErrorCodeName;
  message: string;
  close?: { code: number; reason: string };
}

/**
 * Checks the password of a password room. A wrong one is answered with `password_reset` and
 * the handshake (the seed's behaviour), and closes the socket after `maxPasswordTries`.
 *
 * @returns true when the identify may go on.
 */
function passwordAccepted<S extends Socket>(
  room: RoomContext<S>,
  socket: S,
  session: Session,
  reportTo: Session,
  kwargs: JsonObject,
  ref: FrameRef,
): boolean {
  if (room.password === undefined) return true;
  const given = own(kwargs, IdentifyField.password);
  if (typeof given === "string" && secretMatches(given, room.password)) return true;
  session.passwordTries += 1;
  room.connections.save(socket, session);
  logEvent(room.name, "refused", { name: reportTo.name, reason: ErrorCode.badPassword });
  report(room, socket, reportTo, {
    code: ErrorCode.badPassword,
    message: typeof given === "string" ? "wrong password" : "this room needs a password",
    ref,
  });
  if (session.passwordTries >= room.limits.maxPasswordTries) {
    close(room, socket, CloseCode.badPassword, "too many wrong passwords");
  } else {
    send(room, socket, JSON.stringify(passwordReset()));
    sendHandshake(room, socket);
  }
  return false;
}

/**
 * Decides whether `socket` may take `name` from the socket that holds it: it must prove that
 * it is the same client, with the resume secret issued for the name or a token for the name.
 */
function provesOwnership<S extends Socket>(
  room: RoomContext<S>,
  session: Session,
  name: string,
  kwargs: JsonObject,
): boolean {
  if (session.boundName === name) return true;
  const presented = own(kwargs, IdentifyField.resume);
  const issued = room.names.secretOf(name);
  return typeof presented === "string" && issued !== undefined && secretMatches(presented, issued);
}

/** The name this socket may take, or why it may not take the one it asked for. */
function acceptableName<S extends Socket>(
  room: RoomContext<S>,
  session: Session,
  name: unknown,
): string | Refusal {
  const problem =
    typeof name === "string"
      ? checkName(name, room.limits.maxNameLength)
      : "kwargs.name must be a string";
  if (typeof name !== "string" || problem !== undefined) {
    return {
      code: ErrorCode.badName,
      message: `bad name: ${problem}`,
      close: { code: CloseCode.badName, reason: "bad name" },
    };
  }
  if (session.boundName !== undefined && session.boundName !== name) {
    return {
      code: ErrorCode.nameMismatch,
      message: "this socket's token is for another name",
      close: { code: CloseCode.nameMismatch, reason: "name mismatch" },
    };
  }
  if (session.name !== undefined && session.name !== name) {
    return {
      code: ErrorCode.alreadyIdentified,
      message: `this socket is already identified as "${session.name}"`,
    };
  }
  return name;
}

/**
 * Handles an identify command (either spelling) from a socket.
 *
 * Order: capabilities (so that refusals can be reported), password, name rules and token,
 * then the name's holder: free, this socket, or another socket that a proven newcomer
 * replaces in the same event (so nothing addressed to the name falls between the two).
 */
export function identify<S extends Socket>(
  room: RoomContext<S>,
  socket: S,
  session: Session,
  kwargs: JsonObject,
  ref: FrameRef,
): void {
  const capabilities = requestedCapabilities(kwargs);
  const asked = own(kwargs, IdentifyField.name);
  // Refusals are reported under the name asked for, with the capabilities asked for.
  const reportTo: Session = {
    ...session,
    name: session.name ?? (typeof asked === "string" ? asked : "?"),
    capabilities: session.name === undefined ? capabilities : session.capabilities,
  };
  // A socket that holds a name passed the password when it took it.
  if (
    session.name === undefined &&
    !passwordAccepted(room, socket, session, reportTo, kwargs, ref)
  ) {
    return;
  }

  const name = acceptableName(room, session, asked);
  if (typeof name !== "string") {
    refuse(room, socket, reportTo, name, ref);
    return;
  }

  const holder = room.connections.byName(name);
  if (holder !== undefined && holder !== socket) {
    if (!provesOwnership(room, session, name, kwargs)) {
      refuse(
        room,
        socket,
        reportTo,
        {
          code: ErrorCode.nameTaken,
          message: `the name "${name}" is held by another connected client`,
          close: { code: CloseCode.nameTaken, reason: "name taken" },
        },
        ref,
      );
      return;
    }
    close(room, holder, CloseCode.replaced, "replaced by a new connection");
    logEvent(room.name, "replaced", { name: name });
  }

  const now = Date.now();
  const already = session.name === name;
  const proven = already || provesOwnership(room, session, name, kwargs);
  const granted = already ? session : room.connections.identify(socket, name, capabilities, now);
  logEvent(room.name, "identified", { name: name });
  if (has(granted, Capability.heartbeat)) room.scheduleSweep(now + room.limits.heartbeatTimeoutMs);
  // The name's resume secret: kept for its proven owner, replaced (or, for a client that
  // wants none, dropped) when someone else takes the free name, so an old one stops working.
  let resume = proven ? room.names.secretOf(name) : undefined;
  if (resume === undefined && has(granted, Capability.resume)) {
    resume = newSecret();
    room.names.remember(name, resume, now);
  } else if (!proven) {
    room.names.forget(name);
  }
  if (granted.capabilities.length === 0) return;
  const ack = identified({ name: name, capabilities: granted.capabilities, time: room.epoch });
  if (resume !== undefined && has(granted, Capability.resume)) ack.data.kwargs.resume = resume;
  send(room, socket, JSON.stringify(ack));
}

function refuse<S extends Socket>(
  room: RoomContext<S>,
  socket: S,
  reportTo: Session,
  refusal: Refusal,
  ref: FrameRef,
): void {
  const { code, message, close: closing } = refusal;
  logEvent(room.name, "refused", { name: reportTo.name, reason: code });
  report(room, socket, reportTo, { code, message, ref });
  if (closing !== undefined) close(room, socket, closing.code, closing.reason);
}
