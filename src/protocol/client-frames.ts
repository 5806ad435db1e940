/**
 * Text builders for what a client wraps around its own frames: a `batch` of frames already
 * serialised (capability `batch`), and an `id` (capability `acks`) or other fields (`sid`,
 * `seq`, `receipt`, `resent`) added to a frame's text.
 * Neither parses nor serialises the frames again.
 *
 * @module
 */

import { FrameType, type Json, SERVER } from "./envelope.js";

const BATCH_HEAD = `{"type":"${FrameType.batch}","data":[`;
const BATCH_TAIL = `],"target":["${SERVER}"]`;
const ID_FIELD = `"id":`;

/**
 * The UTF-8 size of the wrapper {@link clientBatchText} puts around its frames, for any id it
 * takes: the frames plus one comma between each two, plus this, is the batch's size.
 *
 * @example
 * ```ts
 * const fits = framesBytes + (count - 1) + BATCH_WRAPPER_BYTES <= DEFAULT_LIMITS.maxFrameBytes;
 * ```
 */
export const BATCH_WRAPPER_BYTES =
  BATCH_HEAD.length +
  BATCH_TAIL.length +
  1 +
  ID_FIELD.length +
  `${Number.MAX_SAFE_INTEGER}}`.length;

/**
 * The text of a `batch` frame from a client, holding frames already serialised as JSON
 * objects: `{"type":"batch","data":[...],"target":["server"],"id":N}`.
 *
 * @param frames - The frames' JSON texts, each a JSON object, in order.
 * @param id - The batch's id, a non-negative integer (what the relay's `ack` names); omitted
 *   when undefined.
 * @example
 * ```ts
 * clientBatchText(['{"type":"a","target":"B"}', '{"type":"b","target":"C"}'], 7);
 * // {"type":"batch","data":[{"type":"a","target":"B"},{"type":"b","target":"C"}],"target":["server"],"id":7}
 * ```
 */
export function clientBatchText(frames: readonly string[], id?: number): string {
  const tail = id === undefined ? "}" : `,${ID_FIELD}${id}}`;
  return `${BATCH_HEAD}${frames.join(",")}${BATCH_TAIL}${tail}`;
}

/**
 * Adds `"id":<id>` to the text of a JSON object that has no `id` field, keeping every other
 * character as it was.
 *
 * @param objectText - A JSON object's text, without an `id` field (the caller checks both).
 * @param id - A non-negative integer.
 * @example
 * ```ts
 * withIdText('{"type":"note","target":"B"}', 3); // {"type":"note","target":"B","id":3}
 * withIdText("{}", 3); // {"id":3}
 * ```
 */
export function withIdText(objectText: string, id: number): string {
  const text = objectText.trimEnd();
  const inner = text.slice(0, -1);
  const separator = /^\s*\{\s*$/.test(inner) ? "" : ",";
  return `${inner}${separator}${ID_FIELD}${id}}`;
}

/**
 * Adds fields to the text of a JSON object that has none of them, in the order given, keeping
 * every other character as it was (as {@link withIdText} does for `id`). Each value is written
 * with `JSON.stringify`. With no fields, the text is returned as it is.
 *
 * @param objectText - A JSON object's text, without any of the fields (the caller checks).
 * @param fields - The fields to add: name and JSON value, in order.
 * @example
 * ```ts
 * withFieldsText('{"type":"note","target":"B"}', [["sid", "k3J9xq0aTz1c"], ["seq", 7]]);
 * // {"type":"note","target":"B","sid":"k3J9xq0aTz1c","seq":7}
 * withFieldsText("{}", [["resent", true]]); // {"resent":true}
 * ```
 */
export function withFieldsText(
  objectText: string,
  fields: ReadonlyArray<readonly [string, Json]>,
): string {
  if (fields.length === 0) return objectText;
  const text = objectText.trimEnd();
  const inner = text.slice(0, -1);
  const separator = /^\s*\{\s*$/.test(inner) ? "" : ",";
  const added = fields.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
  return `${inner}${separator}${added.join(",")}}`;
}
