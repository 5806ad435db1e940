/**
 * The entry for every frame a room receives: decode, then identify or route.
 *
 * @module
 */

import {
  batchItems,
  Capability,
  CloseCode,
  Command,
  decodeFrame,
  decodeObject,
  type Envelope,
  ErrorCode,
  FrameType,
  isCommand,
  nestsDeeperThan,
  refOf,
  SERVER,
} from "wscomsrv-protocol";
import type { Socket } from "./connections.js";
import {
  close,
  type IdentifiedEvent,
  isIdentified,
  type Report,
  report,
  type SocketEvent,
  sendHandshake,
} from "./context.js";
import { identify } from "./identify.js";
import type { Outbox } from "./outbox.js";
import { route } from "./router.js";
import { has, type Session } from "./session.js";

/**
 * Applies the socket's rate limit, `count` frames at a time: the first dropped frame of an
 * episode is reported, and a socket that goes on is closed with 1008.
 *
 * @returns true when the frames may be handled.
 */
function withinRate<S extends Socket>(event: SocketEvent<S>, count = 1): boolean {
  const { room, socket, session } = event;
  const verdict = room.rateLimiter.take(socket, event.now, count);
  if (verdict === "pass") return true;
  if (has(session, Capability.acks)) {
    // Acks are cumulative: an ack after a dropped frame would confirm it. Close instead, and
    // the client knows what the relay never took: whatever came after its last ack.
    report(event, rateLimitedReport(room.limits.framesPerSecond));
    close(room, socket, CloseCode.tryAgainLater, "rate limit");
    return false;
  }
  if (verdict === "first-drop") {
    report(event, rateLimitedReport(room.limits.framesPerSecond));
  } else if (verdict === "close") {
    close(room, socket, CloseCode.policyViolation, "rate limit");
  }
  return false;
}

function rateLimitedReport(framesPerSecond: number): Report {
  return {
    code: ErrorCode.rateLimited,
    message: `over ${framesPerSecond} frames per second: frames are dropped until the rate falls`,
    ref: {},
  };
}

/** True when a decoded frame is a batch from a client that may send them. */
function isBatch(session: Session, envelope: Envelope): boolean {
  return (
    envelope.type === FrameType.batch &&
    has(session, Capability.batch) &&
    envelope.target.length === 1 &&
    envelope.target[0] === SERVER
  );
}

/**
 * Routes the frames of a batch in order; a bad frame is reported and the rest go on.
 *
 * @returns false when the rate limit dropped the batch (it was not taken, so no ack).
 */
function routeBatch<S extends Socket>(event: IdentifiedEvent<S>, envelope: Envelope): boolean {
  const { limits } = event.room;
  const items = batchItems(envelope, limits);
  if (!Array.isArray(items)) {
    report(event, items);
    return true;
  }
  // The batch took one token already; its other frames take theirs now.
  if (items.length > 1 && !withinRate(event, items.length - 1)) return false;
  for (const item of items) {
    const decoded = decodeObject(item, limits);
    if (decoded.ok) route(event, decoded.frame);
    else report(event, decoded.error);
  }
  return true;
}

/**
 * Confirms to a client with the `acks` capability that the relay took the frame `id`. The ack
 * rides with the next frames the room sends that client, or goes alone after a short delay
 * (see {@link Outbox.ack}); for a frame sent to a receiver with `delivery`, it waits until
 * the receiver confirmed it or the room wrote it (see `acks.ts`).
 */
function acknowledge<S extends Socket>(
  event: SocketEvent<S>,
  id: string | number | undefined,
): void {
  const { session } = event;
  if (id === undefined || session.name === undefined || !has(session, Capability.acks)) return;
  // Sent now, or, when the frame went to a receiver with `delivery`, once that is safe.
  event.room.acks.acknowledge(event, id);
}

/**
 * Handles one incoming frame, in the event the Room built for it (for a socket it has not
 * retired). Never throws for bad input: an unidentified socket gets the handshake again (as
 * with the seed); an identified one gets an error frame when it asked for them, and the frame
 * is dropped. A client with `acks` gets an `ack` for every frame or batch with an `id` that
 * the relay took, refused ones included (their error frame comes first).
 */
export function handleFrame<S extends Socket>(
  event: SocketEvent<S>,
  message: string | ArrayBuffer,
): void {
  const { room, socket, session } = event;
  if (session.probedAt !== 0) {
    // Asked whether it is still there, it is: any frame answers.
    session.probedAt = 0;
    room.connections.save(socket, session);
  }
  if (!withinRate(event)) return;
  if (typeof message !== "string") {
    if (session.name === undefined) sendHandshake(event);
    else {
      report(event, {
        code: ErrorCode.binaryFrame,
        message: "binary frames are not part of the protocol; send JSON in text frames",
        ref: {},
      });
    }
    return;
  }
  const result = decodeFrame(message, room.limits);
  if (!isIdentified(event)) {
    if (result.ok) {
      const { envelope, fields } = result.frame;
      if (
        isCommand(envelope) &&
        envelope.target.includes(SERVER) &&
        (envelope.data.cmd === Command.identify || envelope.data.cmd === Command.identifyAlias)
      ) {
        identify(event, envelope.data.kwargs, refOf(fields));
        acknowledge(event, envelope.id);
        return;
      }
    }
    sendHandshake(event);
    return;
  }
  if (!result.ok) {
    report(event, result.error);
    acknowledge(event, result.error.ref.id);
    return;
  }
  const { envelope } = result.frame;
  if (isBatch(session, envelope)) {
    if (!routeBatch(event, envelope)) return;
  } else if (
    envelope.type === FrameType.batch &&
    nestsDeeperThan(result.frame.fields, room.limits.maxDepth)
  ) {
    // decodeFrame allowed a batch's two wrapping levels; this "batch" is an ordinary frame.
    report(event, {
      code: ErrorCode.tooDeep,
      message: `the frame nests deeper than ${room.limits.maxDepth} levels`,
      ref: refOf(result.frame.fields),
    });
  } else {
    route(event, result.frame);
  }
  acknowledge(event, envelope.id);
}
