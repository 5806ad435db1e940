/**
 * The identify handshake: password, token-bound names, name rules, one socket per name with a
 * proven takeover, a question to a holder that may be gone, and capabilities.
 *
 * Who gets a held name:
 * 1. a newcomer whose proof {@link outranks} the holder's (a token for the name beats
 *    everything; the name's current resume secret beats a secret or nothing) takes it at once,
 *    and the holder is closed with 4010;
 * 2. otherwise, a holder whose heartbeats stopped is closed with 4011 and the newcomer takes
 *    the name at once;
 * 3. otherwise the room asks the holder whether it is still there (the seed's own
 *    `indentify`, which every client answers at once) and the newcomer waits
 *    `takeoverProbeMs`: a holder that stayed silent is closed with 4011 and the newcomer takes
 *    the name; a holder that answered keeps it, and the newcomer is refused with 4009.
 *
 * Every grant issues a fresh resume secret (to a client that asked for `resume`) and retires
 * the old one, so a secret proves only the latest holder.
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
  type IdentifiedKwargs,
  IdentifyField,
  identified,
  type JsonObject,
  own,
  passwordReset,
} from "wscomsrv-protocol";
import type { Socket } from "./connections.js";
import { close, report, type SocketEvent, sendHandshake } from "./context.js";
import { takeMail } from "./deliver.js";
import { logEvent } from "./log.js";
import { newSecret } from "./name-store.js";
import { rosterPageOf } from "./roster.js";
import { secretMatches } from "./secrets.js";
import { has, isCapability, outranks, type Proof, type Session, type Waiting } from "./session.js";

function requestedCapabilities(kwargs: JsonObject): CapabilityName[] {
  const asked = own(kwargs, IdentifyField.capabilities);
  if (!Array.isArray(asked)) return [];
  return [...new Set(asked.filter(isCapability))];
}

/** One identify command, as the steps of the handshake read it. */
interface Attempt {
  /** The command's arguments. */
  readonly kwargs: JsonObject;
  /** The command's frame, for reports. */
  readonly ref: FrameRef;
  /** The session refusals are reported as: the name and capabilities asked for. */
  readonly reportTo: Session;
}

/** An identify that is refused: what the client is told, and whether the socket is closed. */
interface Refusal {
  code: ErrorCodeName;
  message: string;
  close?: { code: number; reason: string };
}

/**
 * Checks the password of a password room. A wrong one is answered with `password_reset` and
 * the handshake (the seed's behaviour), and closes the socket after `maxPasswordTries`. The
 * room as a whole takes `passwordFailuresPerMinute` wrong passwords; past that it checks no
 * password for a while, and closes every socket that tries with 1013.
 *
 * @returns true when the identify may go on.
 */
function passwordAccepted<S extends Socket>(event: SocketEvent<S>, attempt: Attempt): boolean {
  const { room, socket, session, now } = event;
  const { kwargs, ref, reportTo } = attempt;
  if (room.password === undefined) return true;
  if (room.passwordFailures.exhausted(now)) {
    const seconds = Math.ceil(room.passwordFailures.retryAfterMs(now) / 1000);
    logEvent(room.name, "refused", { name: reportTo.name, reason: ErrorCode.rateLimited });
    report(
      event,
      {
        code: ErrorCode.rateLimited,
        message: `too many wrong passwords in this room: no password is checked for about ${seconds} s`,
        ref,
      },
      reportTo,
    );
    close(room, socket, CloseCode.tryAgainLater, "too many wrong passwords in the room");
    return false;
  }
  const given = own(kwargs, IdentifyField.password);
  if (typeof given === "string" && secretMatches(given, room.password)) return true;
  room.passwordFailures.fail(now);
  session.passwordTries += 1;
  room.connections.save(socket, session);
  logEvent(room.name, "refused", { name: reportTo.name, reason: ErrorCode.badPassword });
  report(
    event,
    {
      code: ErrorCode.badPassword,
      message: typeof given === "string" ? "wrong password" : "this room needs a password",
      ref,
    },
    reportTo,
  );
  if (session.passwordTries >= room.limits.maxPasswordTries) {
    close(room, socket, CloseCode.badPassword, "too many wrong passwords");
  } else {
    room.outbox.send(socket, JSON.stringify(passwordReset()));
    sendHandshake(event);
  }
  return false;
}

/**
 * What the event's socket proves about `name`: a token for it, the resume secret issued for
 * it last, or nothing.
 */
function proofOf<S extends Socket>(
  { room, session }: SocketEvent<S>,
  name: string,
  kwargs: JsonObject,
): Proof {
  if (session.boundName === name) return "token";
  const presented = own(kwargs, IdentifyField.resume);
  if (typeof presented !== "string") return "none";
  const issued = room.names.secretOf(name);
  if (issued !== undefined && secretMatches(presented, issued)) return "secret";
  // The owner whose mail waits, while someone without proof took the name meanwhile.
  const owner = room.mail.ownerSecret(name);
  return owner !== undefined && secretMatches(presented, owner) ? "secret" : "none";
}

/** The name the event's socket may take, or why it may not take the one it asked for. */
function acceptableName<S extends Socket>(
  { room, session }: SocketEvent<S>,
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

const NAME_TAKEN: (name: string) => Refusal = (name) => ({
  code: ErrorCode.nameTaken,
  message: `the name "${name}" is held by another connected client, which answered when asked; prove you own the name (a resume secret or a token) or pick another`,
  close: { code: CloseCode.nameTaken, reason: "name taken" },
});

/**
 * Handles an identify command (either spelling) from the event's socket.
 *
 * Order: capabilities (so that refusals can be reported), password, name rules and token,
 * then the name's holder: free, this socket, or another socket, which a newcomer with a
 * stronger proof replaces in the same event (so nothing addressed to the name falls between
 * the two), and which is otherwise asked whether it is still there.
 */
export function identify<S extends Socket>(
  event: SocketEvent<S>,
  kwargs: JsonObject,
  ref: FrameRef,
): void {
  const { room, socket, session, now } = event;
  const capabilities = requestedCapabilities(kwargs);
  const asked = own(kwargs, IdentifyField.name);
  // Refusals are reported under the name asked for, with the capabilities asked for.
  const reportTo: Session = {
    ...session,
    name: session.name ?? (typeof asked === "string" ? asked : "?"),
    capabilities: session.name === undefined ? capabilities : session.capabilities,
  };
  const attempt: Attempt = { kwargs, ref, reportTo };
  // A socket that holds a name passed the password when it took it.
  if (
    session.name === undefined &&
    session.waiting === undefined &&
    !passwordAccepted(event, attempt)
  ) {
    return;
  }

  const name = acceptableName(event, asked);
  if (typeof name !== "string") {
    refuse(event, name, attempt);
    return;
  }
  if (session.name === name) {
    reidentify(event);
    return;
  }
  if (session.waiting !== undefined) {
    // Asked again while waiting for the same name (or another one): the first wait decides.
    return;
  }

  const proof = proofOf(event, name, kwargs);
  const wanted = { name, capabilities };
  const holder = room.connections.byName(name);
  if (holder !== undefined && holder !== socket) {
    const held = room.connections.find(holder);
    if (held !== undefined && outranks(proof, held.proof)) {
      close(room, holder, CloseCode.replaced, "replaced by a new connection");
      logEvent(room.name, "replaced", { name });
    } else if (!room.liveness.closeIfDead(holder, now)) {
      awaitHolder(event, holder, wanted);
      return;
    }
  }
  grant(event, wanted, proof);
}

/**
 * An identify from a socket that holds the name already: the answer to the room's question
 * whether it is still there (answered with nothing), or a client identifying again (answered
 * with `identified`, its capabilities and secret unchanged).
 */
function reidentify<S extends Socket>(event: SocketEvent<S>): void {
  const { room, socket, session } = event;
  // The answer to the room's probe (whether it reads, whether it is there) needs no answer.
  if (room.outbox.proven(socket)) return;
  const secret =
    session.name !== undefined && has(session, Capability.resume)
      ? room.names.secretOf(session.name)
      : undefined;
  sendIdentified(event, secret);
}

/**
 * Sends `identified` to the event's client when it asked for any capability, with its
 * secret if any.
 */
function sendIdentified<S extends Socket>(
  { room, socket, session }: SocketEvent<S>,
  secret: string | undefined,
  missed = 0,
): void {
  const { name, capabilities } = session;
  if (name === undefined || capabilities.length === 0) return;
  const kwargs: IdentifiedKwargs = {
    name,
    capabilities,
    time: room.epoch,
    maxFrameBytes: room.limits.maxFrameBytes,
  };
  if (secret !== undefined) kwargs.resume = secret;
  if (has(session, Capability.presence)) kwargs.roster = rosterPageOf(room, undefined);
  if (has(session, Capability.delivery)) {
    const mail = room.mail.state(name);
    kwargs.mail = {
      window: room.limits.mailWindowMs,
      confirmed: mail.confirmed,
      next: mail.next,
      missed,
    };
  }
  room.outbox.send(socket, JSON.stringify(identified(kwargs)));
}

/**
 * Makes the event's socket wait for the name it wants while the room asks `holder`, with the
 * seed's `indentify`, whether it is still there (once: a holder already asked is not asked
 * again).
 */
function awaitHolder<S extends Socket>(
  { room, socket, session, now }: SocketEvent<S>,
  holder: S,
  wanted: Omit<Waiting, "until">,
): void {
  const until = now + room.limits.takeoverProbeMs;
  session.waiting = { ...wanted, until };
  room.connections.save(socket, session);
  const held = room.connections.find(holder);
  if (held !== undefined && held.probedAt === 0) {
    held.probedAt = now;
    room.connections.save(holder, held);
    room.outbox.ask(holder);
    logEvent(room.name, "probe", { name: wanted.name });
  }
  room.scheduleSweep(until);
}

/**
 * Ends the wait of the event's socket for a held name (its time is up): the name goes to it
 * when its holder is gone or stayed silent (closed with 4011), and it is refused with 4009
 * when the holder answered. The Room builds the event from its alarm, for a socket it still
 * knows.
 */
export function endWait<S extends Socket>(event: SocketEvent<S>): void {
  const { room, socket, session, now } = event;
  const waiting = session.waiting;
  if (waiting === undefined) return;
  session.waiting = undefined;
  room.connections.save(socket, session);
  const holder = room.connections.byName(waiting.name);
  const held = holder === undefined ? undefined : room.connections.find(holder);
  if (holder !== undefined && held !== undefined && !room.liveness.closeIfDead(holder, now)) {
    const heartbeat = room.liveness.lastHeartbeat(holder) ?? 0;
    const silent = held.probedAt !== 0 && heartbeat < held.probedAt;
    if (!silent) {
      const reportTo: Session = {
        ...session,
        name: waiting.name,
        capabilities: waiting.capabilities,
      };
      refuse(event, NAME_TAKEN(waiting.name), { reportTo, ref: {} });
      return;
    }
    logEvent(room.name, "timeout", { name: waiting.name, reason: "did not answer" });
    close(room, holder, CloseCode.heartbeatTimeout, "did not answer");
  }
  grant(event, waiting, "none");
}

/**
 * Gives the name `wanted` to the event's socket, with the capabilities it asked for and a
 * fresh resume secret for a client that asked for `resume` (the name's old secret stops
 * working either way), and sends `identified` to a client that asked for any capability.
 */
function grant<S extends Socket>(
  event: SocketEvent<S>,
  wanted: Omit<Waiting, "until">,
  proof: Proof,
): void {
  const { room, socket, now } = event;
  const { name } = wanted;
  let { capabilities } = wanted;
  if (
    proof === "none" &&
    capabilities.includes(Capability.delivery) &&
    room.mail.waitsForOwner(name)
  ) {
    // The mail kept for the name is its proven owner's: this client takes the name without
    // it, and gets what is sent to the name from now on at most once. The owner's secret
    // stays good for taking the name and its mail back.
    capabilities = capabilities.filter((capability) => capability !== Capability.delivery);
    room.mail.keepOwnerSecret(name, room.names.secretOf(name));
  }
  // The event's own session, now holding the name.
  const granted = room.connections.identify(socket, name, capabilities, now, proof);
  room.presence.arrive(name, now);
  if (has(granted, Capability.presence)) room.presence.watch(socket, name);
  logEvent(room.name, "identified", { name, proof });
  if (has(granted, Capability.heartbeat)) {
    room.liveness.aliveUntil(now + room.limits.heartbeatTimeoutMs);
    room.scheduleSweep(now + room.limits.heartbeatSweepMs);
  }
  let resume: string | undefined;
  if (has(granted, Capability.resume)) {
    resume = newSecret();
    room.names.remember(name, resume, now);
  } else {
    room.names.forget(name);
  }
  if (has(granted, Capability.delivery)) {
    const mail = takeMail(event, name, proof !== "none");
    sendIdentified(event, resume, mail.missed);
    mail.replay();
  } else {
    sendIdentified(event, resume);
  }
}

/** Refuses an identify: logs it, reports it as the attempt asked, and closes when it says so. */
function refuse<S extends Socket>(
  event: SocketEvent<S>,
  refusal: Refusal,
  { reportTo, ref }: Pick<Attempt, "reportTo" | "ref">,
): void {
  const { code, message, close: closing } = refusal;
  logEvent(event.room.name, "refused", { name: reportTo.name, reason: code });
  report(event, { code, message, ref }, reportTo);
  if (closing !== undefined) close(event.room, event.socket, closing.code, closing.reason);
}
