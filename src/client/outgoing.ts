/**
 * A frame on its way out: its text, and what the send path must know about it (may it go in
 * a batch, may the client give it an id) without parsing it again where that can be helped.
 *
 * @module
 */

import { DeliveryField, isJsonObject, isValidId, type Json, own } from "wscomsrv-protocol";

const DELIVERY_FIELDS: readonly string[] = Object.values(DeliveryField).filter(
  (field) => field !== DeliveryField.call,
);

/**
 * A frame handed to the send path.
 *
 * @example
 * ```ts
 * const frame: Outgoing = {
 *   text: '{"type":"note","target":"B"}',
 *   isObject: true,
 *   hasId: false,
 *   id: undefined,
 *   hasStream: false,
 * };
 * ```
 */
export interface Outgoing {
  /** The frame's text: as the caller gave it, or as `JSON.stringify` wrote the object. */
  readonly text: string;
  /** True when the text is a JSON object: only such a frame goes in a batch or gets an id. */
  readonly isObject: boolean;
  /** True when the frame has an `id` field of its own (the client then adds none). */
  readonly hasId: boolean;
  /** That `id` when it is a valid one (the relay acks only those), otherwise `undefined`. */
  readonly id: string | number | undefined;
  /**
   * True when the frame has a `sid`, `seq`, `receipt` or `resent` field of its own: the client
   * then adds none of them (and cannot ask a receipt for it).
   */
  readonly hasStream: boolean;
  /**
   * Its number in the client's stream, once given (frames get numbers in the order they go
   * out, so that each receiver sees them rising).
   */
  readonly seq?: number;
  /** True once the client's `sid` and `seq` are in the text. */
  readonly stamped?: boolean;
  /** True when the frame asks for a receipt (`WebSocketClient.deliver`). */
  readonly receipt?: boolean;
  /** True once `"resent":true` is in the text. */
  readonly resent?: boolean;
}

/**
 * What the send path needs of a frame given as text: the text is parsed once to find out.
 * Text that is not a JSON object goes out alone, as it is.
 *
 * @example
 * ```ts
 * outgoingOfText('{"type":"note","target":"B","id":"n1"}'); // { isObject: true, hasId: true, id: "n1", ... }
 * outgoingOfText("not json"); // { isObject: false, hasId: false, id: undefined, ... }
 * ```
 */
export function outgoingOfText(text: string): Outgoing {
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { text, isObject: false, hasId: false, id: undefined, hasStream: false };
  }
  if (!isJsonObject(parsed)) {
    return { text, isObject: false, hasId: false, id: undefined, hasStream: false };
  }
  const id = own(parsed, "id");
  return {
    text,
    isObject: true,
    hasId: id !== undefined,
    id: isValidId(id) ? id : undefined,
    hasStream: DELIVERY_FIELDS.some((field) => own(parsed, field) !== undefined),
  };
}

/**
 * What the send path needs of an object and the text `JSON.stringify` made of it, read from
 * the object without parsing the text. An object with a `toJSON` method is read from its text.
 *
 * @example
 * ```ts
 * const message = { type: "note", target: "B" };
 * outgoingOfObject(message, JSON.stringify(message)); // { isObject: true, hasId: false, ... }
 * ```
 */
export function outgoingOfObject(message: object, text: string): Outgoing {
  if ("toJSON" in message && typeof message.toJSON === "function") return outgoingOfText(text);
  // JSON.stringify writes an object (not an array) as `{...}`.
  const isObject = !Array.isArray(message) && text.startsWith("{");
  if (!isObject) return { text, isObject, hasId: false, id: undefined, hasStream: false };
  const value = serialisedField(message, "id");
  const hasId = value !== undefined;
  const id =
    (typeof value === "string" || typeof value === "number") && isValidId(value)
      ? value
      : undefined;
  return { text, isObject, hasId, id, hasStream: hasStreamFields(message) };
}

/**
 * True when `message` has a `sid`, `seq`, `receipt` or `resent` field that `JSON.stringify`
 * writes (see {@link Outgoing.hasStream}).
 *
 * @example
 * ```ts
 * hasStreamFields({ type: "note", target: "B", seq: 3 }); // true
 * ```
 */
export function hasStreamFields(message: object): boolean {
  return DELIVERY_FIELDS.some((field) => serialisedField(message, field) !== undefined);
}

/** The own field `key` of `message` when `JSON.stringify` writes it, otherwise `undefined`. */
function serialisedField(message: object, key: string): unknown {
  const value: unknown = Object.prototype.propertyIsEnumerable.call(message, key)
    ? Reflect.get(message, key)
    : undefined;
  // JSON.stringify leaves out undefined, functions and symbols: such a field is no field.
  return typeof value === "function" || typeof value === "symbol" ? undefined : value;
}

/**
 * The JSON text of a frame: a string as it is, an object through `JSON.stringify`.
 *
 * @throws TypeError when the object cannot be serialised as JSON (a cycle, a `BigInt`, a
 *   function).
 * @example
 * ```ts
 * serialize({ type: "note", target: "B" }); // '{"type":"note","target":"B"}'
 * ```
 */
export function serialize(message: object | string): string {
  const text = typeof message === "string" ? message : JSON.stringify(message);
  if (typeof text !== "string") {
    throw new TypeError("writeToSocket needs a string or a JSON-serialisable object");
  }
  return text;
}

/**
 * What the send path needs of a frame, as the caller gave it.
 *
 * @example
 * ```ts
 * outgoingOf({ type: "note", target: "B" }).text; // '{"type":"note","target":"B"}'
 * ```
 */
export function outgoingOf(message: object | string): Outgoing {
  return typeof message === "string"
    ? outgoingOfText(message)
    : outgoingOfObject(message, serialize(message));
}

/**
 * True when `message` is a plain object (made by `{}` or `Object.create(null)`) with no `id`
 * field of its own and no `toJSON`: then `{ ...message, id }` serialises exactly as the
 * object with an `id` added last, and no text has to be edited.
 *
 * @example
 * ```ts
 * takesIdDirectly({ type: "note", target: "B" }); // true
 * takesIdDirectly({ type: "note", target: "B", id: "n1" }); // false
 * ```
 */
export function takesIdDirectly(message: object | string): message is object {
  if (typeof message !== "object") return false;
  const prototype: unknown = Object.getPrototypeOf(message);
  if (prototype !== Object.prototype && prototype !== null) return false;
  if ("toJSON" in message) return false;
  return serialisedField(message, "id") === undefined;
}
