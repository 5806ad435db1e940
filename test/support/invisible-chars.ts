/**
 * An oracle for the names check, independent of the regular expression it uses: the code
 * points that show as nothing, written out by hand, and a walk over the whole code space that
 * compares `checkName` (and the runtime's own `\p{Default_Ignorable_Code_Point}`) with them.
 * Pure, so that the same walk runs in workerd and in Node.
 */

import { checkName } from "wscomsrv-protocol";

/**
 * Default_Ignorable_Code_Point, as listed in Unicode's DerivedCoreProperties.txt (unchanged from
 * Unicode 14 to 17): inclusive ranges, reserved code points of those blocks included.
 */
export const DEFAULT_IGNORABLE: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad], // SOFT HYPHEN
  [0x034f, 0x034f], // COMBINING GRAPHEME JOINER
  [0x061c, 0x061c], // ARABIC LETTER MARK
  [0x115f, 0x1160], // HANGUL CHOSEONG FILLER, HANGUL JUNGSEONG FILLER
  [0x17b4, 0x17b5], // KHMER VOWEL INHERENT AQ, AA
  [0x180b, 0x180f], // MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR
  [0x200b, 0x200f], // ZERO WIDTH SPACE .. RIGHT-TO-LEFT MARK
  [0x202a, 0x202e], // bidi embeddings and overrides
  [0x2060, 0x206f], // WORD JOINER .. invisible operators, bidi isolates, deprecated formats
  [0x3164, 0x3164], // HANGUL FILLER
  [0xfe00, 0xfe0f], // VARIATION SELECTORS 1-16
  [0xfeff, 0xfeff], // ZERO WIDTH NO-BREAK SPACE
  [0xffa0, 0xffa0], // HALFWIDTH HANGUL FILLER
  [0xfff0, 0xfff8], // reserved
  [0x1bca0, 0x1bca3], // SHORTHAND FORMAT controls
  [0x1d173, 0x1d17a], // MUSICAL SYMBOL BEGIN BEAM .. END PHRASE
  [0xe0000, 0xe0fff], // tags, VARIATION SELECTORS 17-256, reserved
];

/** Fillers the names check refuses besides: the Hangul ones again, braille blank, Khitan. */
export const FILLERS: readonly number[] = [0x115f, 0x1160, 0x3164, 0xffa0, 0x2800, 0x16fe4];

/** True when the oracle says `codePoint` shows as nothing. */
export function isInvisible(codePoint: number): boolean {
  return (
    FILLERS.includes(codePoint) ||
    DEFAULT_IGNORABLE.some(([first, last]) => first <= codePoint && codePoint <= last)
  );
}

/** `U+FE0F` for 0xfe0f. */
function label(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The refusal `checkName` gives for a name whose first invisible character is `codePoint`. */
export function invisibleProblem(codePoint: number): string {
  return `the name holds an invisible character ${label(codePoint)}`;
}

const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;

/**
 * Every code point 0..U+10FFFF, alone, after and before a valid name: where `checkName`
 * refuses it as invisible without the oracle's say-so, or lets it by against it, and where
 * the runtime's Default_Ignorable_Code_Point differs from the list. Empty when all agree;
 * at most the first `max` (default 60).
 */
export function invisibleDisagreements(max = 60): string[] {
  const wrong: string[] = [];
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
    const char = String.fromCodePoint(codePoint);
    const expected = isInvisible(codePoint);
    const problem = invisibleProblem(codePoint);
    for (const name of [char, `alice${char}`, `${char}alice`]) {
      const got = checkName(name);
      if ((got === problem) !== expected) {
        wrong.push(`${label(codePoint)} in ${JSON.stringify(name)}: ${got ?? "accepted"}`);
      }
    }
    const inList = DEFAULT_IGNORABLE.some(([a, b]) => a <= codePoint && codePoint <= b);
    if (IGNORABLE.test(char) !== inList) {
      wrong.push(`${label(codePoint)}: the runtime's Default_Ignorable_Code_Point says ${!inList}`);
    }
  }
  return wrong.length > max ? [...wrong.slice(0, max), `... ${wrong.length - max} more`] : wrong;
}
