/**
 * The rules for client names and room names, shared by the relay (which enforces them) and
 * the client (which checks its own name before it connects).
 *
 * @module
 */

import { EVERYONE, SERVER } from "./envelope.js";

/** Longest client name, in characters (UTF-16 code units). */
export const MAX_NAME_LENGTH = 64;

/** Longest room name, in characters. */
export const MAX_ROOM_NAME_LENGTH = 64;

/** The room a client reaches at `ws://HOST/`. */
export const DEFAULT_ROOM = "default";

// Letters, marks, digits, and a few separators. \p{C} (controls, zero-width and bidi
// formatting characters) and every other symbol are outside this set.
const NAME_CHARS = /^[\p{L}\p{M}\p{N}_.:@#+\-/ ]+$/u;
// Characters that show as nothing, so that `alice` and `alice` + U+FE0F would look alike:
// Unicode's Default_Ignorable_Code_Point (zero-width and bidi formatting characters, variation
// selectors, the combining grapheme joiner, tags, ...), and fillers that show as a blank: the
// Hangul fillers (Default_Ignorable too, named here all the same), BRAILLE PATTERN BLANK (a
// symbol, so refused anyway, but with this clearer message) and KHITAN SMALL SCRIPT FILLER
// (a mark, not Default_Ignorable, that fills an empty place in a Khitan block).
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u115F\u1160\u3164\uFFA0\u2800\u{16FE4}]/u;
const ROOM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Why a name was refused, or `undefined` when it is fine. */
export type NameProblem = string | undefined;

/**
 * Checks a client name: 1 to {@link MAX_NAME_LENGTH} characters of letters, marks, digits,
 * space and `_ . : @ # + - /`, in Unicode NFC, with no space at either end; not `server` or `*`;
 * and no invisible character: none with Unicode's `Default_Ignorable_Code_Point` property
 * (zero-width and bidi formatting characters, variation selectors, tags, ...), and none of the
 * fillers U+115F, U+1160, U+3164, U+FFA0 (Hangul), U+2800 (braille blank), U+16FE4 (Khitan).
 *
 * @param name - The name to check.
 * @param maxLength - The room's longest name. Default {@link MAX_NAME_LENGTH} (64).
 * @returns `undefined` when the name is valid, otherwise a sentence saying why not.
 * @example
 * ```ts
 * checkName("Player1"); // undefined
 * checkName("server"); // "the name \"server\" is reserved"
 * checkName("alice\u{FE0F}"); // "the name holds an invisible character U+FE0F"
 * ```
 */
export function checkName(name: string, maxLength: number = MAX_NAME_LENGTH): NameProblem {
  if (name.length === 0) return "the name is empty";
  if (name.length > maxLength) return `the name is longer than ${maxLength} characters`;
  if (name === SERVER || name === EVERYONE) return `the name "${name}" is reserved`;
  const invisible = INVISIBLE.exec(name)?.[0].codePointAt(0);
  if (invisible !== undefined) {
    const hex = invisible.toString(16).toUpperCase().padStart(4, "0");
    return `the name holds an invisible character U+${hex}`;
  }
  if (!NAME_CHARS.test(name)) {
    return "the name may hold only letters, digits, spaces and _ . : @ # + - /";
  }
  if (name.trim() !== name) return "the name may not start or end with a space";
  if (name.normalize("NFC") !== name) return "the name is not in Unicode NFC form";
  return undefined;
}

/**
 * Checks a room name: 1 to {@link MAX_ROOM_NAME_LENGTH} characters of ASCII letters, digits,
 * `.`, `_` and `-`, starting with a letter or digit. Case matters. Paths starting with `_`
 * belong to the relay itself (for example `/_health`).
 *
 * @returns `undefined` when the room name is valid, otherwise a sentence saying why not.
 */
export function checkRoomName(room: string): NameProblem {
  if (room.length === 0) return "the room name is empty";
  if (room.length > MAX_ROOM_NAME_LENGTH) {
    return `the room name is longer than ${MAX_ROOM_NAME_LENGTH} characters`;
  }
  if (!ROOM_NAME.test(room)) {
    return "a room name holds only A-Z, a-z, 0-9, '.', '_' and '-', and starts with a letter or digit";
  }
  return undefined;
}
