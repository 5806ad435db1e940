import { describe, expect, it } from "vitest";
import { exceedsBytes } from "wscomsrv-protocol";

const utf8 = (text: string) => new TextEncoder().encode(text).byteLength;

describe("exceedsBytes", () => {
  it.each([
    ["ASCII", "a"],
    ["two-byte", "é"],
    ["three-byte", "€"],
    ["four-byte", "😀"],
  ])("agrees with TextEncoder around the limit for %s text", (_what, char) => {
    for (const max of [10, 100, 1_000]) {
      for (let length = 0; utf8(char.repeat(length)) <= max + 8; length++) {
        const text = `x${char.repeat(length)}`;
        expect(exceedsBytes(text, max), `${text.length} chars, max ${max}`).toBe(utf8(text) > max);
      }
    }
  });
});
