/**
 * Decoders for the payloads of the relay's own frames, for clients: `set_time`, the
 * `identified` acknowledgement, error reports, acks and the relay's batches. Untrusted input in, a typed value or
 * `undefined` out; every field name is spelled here, next to the types that declare it.
 *
 * @module
 */

import { type DecodeError, isJsonObject, isValidId, own } from "./decode.js";
import {
  Capability,
  type CapabilityName,
  type Envelope,
  type ErrorData,
  type FrameRef,
  FrameType,
  type IdentifiedKwargs,
  type IdentifiedMail,
  type Json,
  type JsonObject,
} from "./envelope.js";
import { ErrorCode } from "./error-codes.js";
import { decodeRosterPage } from "./presence.js";

/**
 * The kwargs of the relay's `set_time` command: the room's epoch.
 *
 * @example
 * ```ts
 * const kwargs: SetTimeKwargs = { time: 1795667433.606 };
 * ```
 */
export interface SetTimeKwargs {
  /** The room's epoch: seconds since 1970, as a float. */
  time: number;
}

/**
 * The `data` of the relay's `ack` frame (capability `acks`).
 *
 * @example
 * ```ts
 * const data: AckData = { id: 12 };
 * ```
 */
export interface AckData {
  /** The `id` of the frame or batch the relay took. */
  id: string | number;
}

const KNOWN_CAPABILITIES: ReadonlySet<string> = new Set(Object.values(Capability));

function isCapability(value: Json): value is CapabilityName {
  return typeof value === "string" && KNOWN_CAPABILITIES.has(value);
}

/**
 * The kwargs of `set_time` (the epoch is a finite number), or `undefined` when malformed.
 *
 * @example
 * ```ts
 * decodeSetTime({ time: 1700000000.5 }); // { time: 1700000000.5 }
 * decodeSetTime({ time: "soon" }); // undefined
 * ```
 */
export function decodeSetTime(kwargs: Json | undefined): SetTimeKwargs | undefined {
  if (!isJsonObject(kwargs)) return undefined;
  const time = own(kwargs, "time" satisfies keyof SetTimeKwargs);
  return typeof time === "number" && Number.isFinite(time) ? { time } : undefined;
}

/**
 * The kwargs of the relay's `identified` command, or `undefined` when malformed. Capabilities
 * this version does not know are left out.
 *
 * @example
 * ```ts
 * decodeIdentified({ name: "A", capabilities: ["errors"], time: 1 });
 * // { name: "A", capabilities: ["errors"], time: 1 }
 * ```
 */
export function decodeIdentified(kwargs: Json | undefined): IdentifiedKwargs | undefined {
  if (!isJsonObject(kwargs)) return undefined;
  const name = own(kwargs, "name" satisfies keyof IdentifiedKwargs);
  const capabilities = own(kwargs, "capabilities" satisfies keyof IdentifiedKwargs);
  const time = own(kwargs, "time" satisfies keyof IdentifiedKwargs);
  if (
    typeof name !== "string" ||
    !Array.isArray(capabilities) ||
    typeof time !== "number" ||
    !Number.isFinite(time)
  ) {
    return undefined;
  }
  const decoded: IdentifiedKwargs = { name, capabilities: capabilities.filter(isCapability), time };
  const resume = own(kwargs, "resume" satisfies keyof IdentifiedKwargs);
  if (typeof resume === "string" && resume !== "") decoded.resume = resume;
  const maxFrameBytes = own(kwargs, "maxFrameBytes" satisfies keyof IdentifiedKwargs);
  if (isWhole(maxFrameBytes) && maxFrameBytes > 0) decoded.maxFrameBytes = maxFrameBytes;
  const mail = decodeIdentifiedMail(own(kwargs, "mail" satisfies keyof IdentifiedKwargs));
  if (mail !== undefined) decoded.mail = mail;
  const roster = decodeRosterPage(own(kwargs, "roster" satisfies keyof IdentifiedKwargs));
  if (roster !== undefined) decoded.roster = roster;
  return decoded;
}

function isWhole(value: Json | undefined): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function decodeIdentifiedMail(value: Json | undefined): IdentifiedMail | undefined {
  if (!isJsonObject(value)) return undefined;
  const window = own(value, "window" satisfies keyof IdentifiedMail);
  const confirmed = own(value, "confirmed" satisfies keyof IdentifiedMail);
  const next = own(value, "next" satisfies keyof IdentifiedMail);
  const missed = own(value, "missed" satisfies keyof IdentifiedMail);
  if (!isWhole(window) || !isWhole(confirmed) || !isWhole(next) || !isWhole(missed)) {
    return undefined;
  }
  return { window, confirmed, next, missed };
}

function decodeRef(value: Json | undefined): FrameRef {
  const ref: FrameRef = {};
  if (!isJsonObject(value)) return ref;
  const id = own(value, "id" satisfies keyof FrameRef);
  if (typeof id === "string" || typeof id === "number") ref.id = id;
  for (const key of ["type", "cmd", "excerpt"] as const satisfies ReadonlyArray<keyof FrameRef>) {
    const field = own(value, key);
    if (typeof field === "string") ref[key] = field;
  }
  return ref;
}

/**
 * The `data` of a relay error frame, or `undefined` when malformed.
 *
 * @example
 * ```ts
 * decodeErrorData({ code: "UNDELIVERED", message: "not connected: B", ref: {}, targets: ["B"] });
 * ```
 */
export function decodeErrorData(data: Json | undefined): ErrorData | undefined {
  if (!isJsonObject(data)) return undefined;
  const code = own(data, "code" satisfies keyof ErrorData);
  const message = own(data, "message" satisfies keyof ErrorData);
  if (typeof code !== "string" || typeof message !== "string") return undefined;
  const error: ErrorData = {
    code,
    message,
    ref: decodeRef(own(data, "ref" satisfies keyof ErrorData)),
  };
  const targets = own(data, "targets" satisfies keyof ErrorData);
  if (Array.isArray(targets)) {
    error.targets = targets.filter((target): target is string => typeof target === "string");
  }
  return error;
}

/**
 * The `data` of an `ack` frame (its `id` is a valid message id), or `undefined` when malformed.
 *
 * @example
 * ```ts
 * decodeAckData({ id: 12 }); // { id: 12 }
 * decodeAckData({ id: -1 }); // undefined
 * ```
 */
export function decodeAckData(data: Json | undefined): AckData | undefined {
  if (!isJsonObject(data)) return undefined;
  const id = own(data, "id" satisfies keyof AckData);
  return isValidId(id) ? { id } : undefined;
}

/**
 * The frames of a relay `batch` (from `"server"`): its `data`, a non-empty list of frame
 * objects, in order. Unlike a client's batch (`batchItems`), a relay batch may hold a frame
 * whose `type` is `"batch"`: that is a peer's application frame the relay forwarded, to be
 * handled as such, never taken apart. Its count is not bounded: the relay bounds what it
 * sends. Each frame still has to be decoded with `decodeObject`.
 *
 * @returns The frames, or a `BAD_BATCH` error when `data` is not such a list.
 * @example
 * ```ts
 * relayBatchFrames({ type: "batch", from: "server", target: ["B"], data: [{ type: "batch", data: [], target: ["B"] }] });
 * // [{ type: "batch", data: [], target: ["B"] }]
 * ```
 */
export function relayBatchFrames(envelope: Envelope): JsonObject[] | DecodeError {
  const data = envelope.data;
  if (Array.isArray(data) && data.length > 0 && data.every(isJsonObject)) return data;
  const ref: FrameRef = { type: FrameType.batch };
  if (envelope.id !== undefined) ref.id = envelope.id;
  return {
    code: ErrorCode.badBatch,
    message: "a relay batch's data must be a non-empty list of frame objects",
    ref,
  };
}
