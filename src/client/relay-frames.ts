/**
 * Decoders for the payloads of the relay's own frames: `set_time`, the `identified`
 * acknowledgement and error reports. Untrusted input in, a typed value or `undefined` out.
 * Field names are checked against the wire module's types (`satisfies keyof ...`), so the
 * client spells no name the wire module does not declare.
 *
 * @module
 */

import {
  Capability,
  type CapabilityName,
  type ErrorData,
  type FrameRef,
  type IdentifiedKwargs,
  isJsonObject,
  type Json,
  own,
} from "../protocol/index.js";

// `set_time` carries the room's epoch under the same name as `identified` does.
const TIME = "time" satisfies keyof IdentifiedKwargs;
const NAME = "name" satisfies keyof IdentifiedKwargs;
const CAPABILITIES = "capabilities" satisfies keyof IdentifiedKwargs;
const RESUME = "resume" satisfies keyof IdentifiedKwargs;

const KNOWN_CAPABILITIES: ReadonlySet<string> = new Set(Object.values(Capability));

function isCapability(value: Json): value is CapabilityName {
  return typeof value === "string" && KNOWN_CAPABILITIES.has(value);
}

/**
 * The epoch in `set_time`'s kwargs, when it is a finite number.
 *
 * @example
 * ```ts
 * decodeTime({ time: 1700000000.5 }); // 1700000000.5
 * decodeTime({ time: "soon" }); // undefined
 * ```
 */
export function decodeTime(kwargs: Json | undefined): number | undefined {
  if (!isJsonObject(kwargs)) return undefined;
  const time = own(kwargs, TIME);
  return typeof time === "number" && Number.isFinite(time) ? time : undefined;
}

/**
 * The kwargs of the relay's `identified` command, or `undefined` when they are malformed.
 *
 * @example
 * ```ts
 * decodeIdentified({ name: "A", capabilities: ["errors"], time: 1 });
 * // { name: "A", capabilities: ["errors"], time: 1 }
 * ```
 */
export function decodeIdentified(kwargs: Json | undefined): IdentifiedKwargs | undefined {
  if (!isJsonObject(kwargs)) return undefined;
  const name = own(kwargs, NAME);
  const capabilities = own(kwargs, CAPABILITIES);
  const time = decodeTime(kwargs);
  if (typeof name !== "string" || !Array.isArray(capabilities) || time === undefined) {
    return undefined;
  }
  const decoded: IdentifiedKwargs = { name, capabilities: capabilities.filter(isCapability), time };
  const resume = own(kwargs, RESUME);
  if (typeof resume === "string" && resume !== "") decoded.resume = resume;
  return decoded;
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
 * The `data` of a relay error frame, or `undefined` when it is malformed.
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
