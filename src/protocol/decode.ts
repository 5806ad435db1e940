/**
 * The validating decoder: untrusted text in, a typed envelope or a typed error out.
 * It never throws and never casts.
 *
 * @module
 */

import {
  type CommandData,
  type Envelope,
  type FrameRef,
  FrameType,
  type Json,
  type JsonObject,
} from "./envelope.js";
import { ErrorCode, type ErrorCodeName } from "./error-codes.js";
import type { Limits } from "./limits.js";

/** Longest `id` string accepted. */
export const MAX_ID_LENGTH = 128;

const EXCERPT_LENGTH = 64;

/** Why a frame was refused: a stable code, a sentence, and what the frame was. */
export interface DecodeError {
  /** A code from {@link ErrorCode}. */
  code: ErrorCodeName;
  /** A sentence for humans. */
  message: string;
  /** What the relay could read of the frame. */
  ref: FrameRef;
}

/** A decoded frame: the envelope, and every field of the object as sent (for forwarding). */
export interface DecodedFrame {
  /** The validated envelope, with `target` as a list and command data filled in. */
  envelope: Envelope;
  /** All fields of the frame, extension fields included, with the normalised ones replaced. */
  fields: JsonObject;
}

/** The outcome of {@link decodeFrame}. */
export type DecodeResult = { ok: true; frame: DecodedFrame } | { ok: false; error: DecodeError };

/** True when `value` is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads an own property, so that keys like `constructor` never reach the prototype. */
export function own(object: JsonObject, key: string): Json | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

const encoder = new TextEncoder();
let scratch = new Uint8Array(0);

/**
 * Whether a string is larger than `maxBytes` in UTF-8, without encoding it when its length
 * decides, and otherwise encoding at most `maxBytes + 4` bytes into a buffer kept for the
 * purpose (`encodeInto` is an order of magnitude faster than `encode` on large texts).
 *
 * @returns true when `text` is larger than `maxBytes` bytes in UTF-8.
 */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  if (scratch.length < maxBytes + 4) scratch = new Uint8Array(maxBytes + 4);
  const { read, written } = encoder.encodeInto(text, scratch.subarray(0, maxBytes + 4));
  return read < text.length || written > maxBytes;
}

/**
 * True when `value` nests arrays and objects deeper than `maxDepth`. It recurses, but never
 * deeper than `maxDepth + 1` calls, whatever the input.
 */
export function nestsDeeperThan(value: Json, maxDepth: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (maxDepth < 1) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (nestsDeeperThan(child, maxDepth - 1)) return true;
  } else {
    for (const key in value) {
      const child = value[key];
      if (child !== undefined && nestsDeeperThan(child, maxDepth - 1)) return true;
    }
  }
  return false;
}

function fail(code: ErrorCodeName, message: string, ref: FrameRef): DecodeResult {
  return { ok: false, error: { code, message, ref } };
}

/**
 * True when `value` is a valid message `id`: a string of 1 to {@link MAX_ID_LENGTH}
 * characters, or a non-negative safe integer.
 *
 * @example
 * ```ts
 * isValidId(12); // true
 * isValidId(-1); // false
 * ```
 */
export function isValidId(value: Json | undefined): value is string | number {
  if (typeof value === "string") return value.length > 0 && value.length <= MAX_ID_LENGTH;
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Builds the reference to a parsed frame that error frames carry. */
export function refOf(object: JsonObject): FrameRef {
  const ref: FrameRef = {};
  const id = own(object, "id");
  if (isValidId(id)) ref.id = id;
  const type = own(object, "type");
  if (typeof type === "string") ref.type = type.slice(0, EXCERPT_LENGTH);
  const data = own(object, "data");
  if (type === FrameType.command && isJsonObject(data)) {
    const cmd = own(data, "cmd");
    if (typeof cmd === "string") ref.cmd = cmd.slice(0, EXCERPT_LENGTH);
  }
  return ref;
}

function decodeTarget(value: Json | undefined, maxTargets: number): string[] | string {
  if (typeof value === "string") return value.length > 0 ? [value] : "target is an empty string";
  if (!Array.isArray(value)) return "target must be a string or an array of strings";
  if (value.length === 0) return "target is an empty list";
  if (value.length > maxTargets) return `target lists more than ${maxTargets} names`;
  const names: string[] = [];
  for (const name of value) {
    if (typeof name !== "string" || name.length === 0) {
      return "every target must be a non-empty string";
    }
    names.push(name);
  }
  return names;
}

function decodeCommandData(value: Json | undefined): (CommandData & JsonObject) | string {
  if (!isJsonObject(value)) return "a command's data must be an object";
  const cmd = own(value, "cmd");
  if (typeof cmd !== "string" || cmd.length === 0) return "data.cmd must be a non-empty string";
  const args = own(value, "args") ?? [];
  if (!Array.isArray(args)) return "data.args must be an array";
  const kwargs = own(value, "kwargs") ?? {};
  if (!isJsonObject(kwargs)) return "data.kwargs must be an object";
  // Filled in place: the decoder owns the parsed object.
  return Object.assign(value, { cmd, args, kwargs });
}

/**
 * Decodes one text frame. Checks, in order: size, JSON, object, nesting depth, then the
 * envelope's fields (see {@link decodeObject}).
 *
 * @param text - The frame as received.
 * @param limits - The size, depth and target limits to enforce.
 * @returns The decoded frame, or a {@link DecodeError} with a stable code.
 * @example
 * ```ts
 * const result = decodeFrame('{"type":"message","data":1,"target":"B"}', DEFAULT_LIMITS);
 * if (result.ok) result.frame.envelope.target; // ["B"]
 * ```
 */
export function decodeFrame(
  text: string,
  limits: Pick<Limits, "maxFrameBytes" | "maxDepth" | "maxTargets">,
): DecodeResult {
  if (exceedsBytes(text, limits.maxFrameBytes)) {
    return fail(ErrorCode.frameTooLarge, `the frame is larger than ${limits.maxFrameBytes} bytes`, {
      excerpt: text.slice(0, EXCERPT_LENGTH),
    });
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(ErrorCode.badJson, "the frame is not valid JSON", {
      excerpt: text.slice(0, EXCERPT_LENGTH),
    });
  }
  if (!isJsonObject(parsed)) {
    return fail(ErrorCode.notAnObject, "the frame must be a JSON object", {
      excerpt: text.slice(0, EXCERPT_LENGTH),
    });
  }
  // A batch wraps its frames in two more levels (the object and its list): they do not count.
  const depth = limits.maxDepth + (own(parsed, "type") === FrameType.batch ? 2 : 0);
  if (nestsDeeperThan(parsed, depth)) {
    return fail(
      ErrorCode.tooDeep,
      `the frame nests deeper than ${limits.maxDepth} levels`,
      refOf(parsed),
    );
  }
  return decodeObject(parsed, limits);
}

/**
 * Decodes a parsed frame's fields: `type`, `id`, `from`, `target`, and for commands
 * `data.cmd`, `data.args`, `data.kwargs` (the last two default to `[]` and `{}`). Size and
 * depth are {@link decodeFrame}'s to check.
 */
export function decodeObject(parsed: JsonObject, limits: Pick<Limits, "maxTargets">): DecodeResult {
  const type = own(parsed, "type");
  if (typeof type !== "string" || type.length === 0) {
    return fail(ErrorCode.badEnvelope, "type must be a non-empty string", refOf(parsed));
  }
  const id = own(parsed, "id");
  if (id !== undefined && !isValidId(id)) {
    return fail(
      ErrorCode.badEnvelope,
      `id must be a string of 1 to ${MAX_ID_LENGTH} characters or a non-negative integer`,
      refOf(parsed),
    );
  }
  const from = own(parsed, "from");
  if (from !== undefined && typeof from !== "string") {
    return fail(ErrorCode.badEnvelope, "from must be a string", refOf(parsed));
  }
  const target = decodeTarget(own(parsed, "target"), limits.maxTargets);
  if (typeof target === "string") return fail(ErrorCode.badTarget, target, refOf(parsed));

  // The parsed object is the decoder's own: normalise it in place rather than copy it.
  const fields = parsed;
  fields.target = target;
  const envelope: Envelope = { type, target };
  if (id !== undefined) envelope.id = id;
  if (from !== undefined) envelope.from = from;
  if (type === FrameType.command) {
    const data = decodeCommandData(own(parsed, "data"));
    if (typeof data === "string") return fail(ErrorCode.badEnvelope, data, refOf(parsed));
    fields.data = data;
    envelope.data = data;
  } else if (Object.hasOwn(parsed, "data")) {
    envelope.data = own(parsed, "data");
  }
  return { ok: true, frame: { envelope, fields } };
}

/**
 * The frames of a batch (`data` of a `batch` frame): a list of 1 to `maxBatchFrames` objects,
 * none of them a batch itself. Each still has to be decoded with {@link decodeObject}.
 */
export function batchItems(
  envelope: Envelope,
  limits: Pick<Limits, "maxBatchFrames">,
): JsonObject[] | DecodeError {
  const ref: FrameRef = { type: FrameType.batch };
  if (envelope.id !== undefined) ref.id = envelope.id;
  const data = envelope.data;
  if (!Array.isArray(data) || data.length === 0) {
    return { code: ErrorCode.badBatch, message: "a batch's data must be a non-empty list", ref };
  }
  if (data.length > limits.maxBatchFrames) {
    return {
      code: ErrorCode.badBatch,
      message: `a batch may hold at most ${limits.maxBatchFrames} frames`,
      ref,
    };
  }
  const items: JsonObject[] = [];
  for (const item of data) {
    if (!isJsonObject(item) || own(item, "type") === FrameType.batch) {
      return {
        code: ErrorCode.badBatch,
        message: "a batch holds frame objects, and no batch",
        ref,
      };
    }
    items.push(item);
  }
  return items;
}
