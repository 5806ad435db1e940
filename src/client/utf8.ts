/**
 * The UTF-8 size of a string, as the relay counts it against its limits, without keeping an
 * encoded copy: what the send queue, the batcher and the unconfirmed frames are bounded by.
 *
 * @module
 */

// Any UTF-16 code unit outside ASCII; text without one is as long in UTF-8 as in UTF-16.
const NON_ASCII = /[\u0080-\uffff]/;

// Longer texts are encoded, a slice at a time, into one kept buffer: encodeInto is several
// times faster than a scan in JavaScript or a regular expression on large texts.
const LONG = 1_024;
const SLICE_CHARS = 16_384;
const encoder = new TextEncoder();
let scratch: Uint8Array | undefined;

/**
 * The size of `text` in UTF-8. A lone surrogate counts 3 bytes, as it is sent as U+FFFD.
 *
 * @example
 * ```ts
 * utf8Length("é"); // 2
 * utf8Length("😀"); // 4
 * ```
 */
export function utf8Length(text: string): number {
  if (text.length >= LONG) return encodedLength(text);
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function encodedLength(text: string): number {
  scratch ??= new Uint8Array(SLICE_CHARS * 3);
  let bytes = 0;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + SLICE_CHARS, text.length);
    // A surrogate pair stays in one slice, so that it counts 4 bytes, not 3 + 3.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    bytes += encoder.encodeInto(text.slice(start, end), scratch).written;
    start = end;
  }
  return bytes;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit < 0xdc00;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit < 0xe000;
}
