import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkName } from "wscomsrv-protocol";
import {
  DEFAULT_IGNORABLE,
  FILLERS,
  invisibleDisagreements,
  invisibleProblem,
} from "../support/invisible-chars.js";

// Letters of a few scripts, digits and the separators: every string of them that checkName
// accepts is a name someone could see.
const visible = fc.constantFrom(..."aZ09_.:@#+-/ ΩжあÅ가");
const validName = fc
  .string({ unit: visible, minLength: 1, maxLength: 24 })
  .filter((name) => checkName(name) === undefined);
const invisible = fc.oneof(
  fc.constantFrom(...FILLERS),
  fc
    .constantFrom(...DEFAULT_IGNORABLE)
    .chain(([first, last]) => fc.integer({ min: first, max: last })),
);

describe("invisible characters in names", () => {
  it("are refused exactly where the hand-written list says, over the whole code space, in workerd", () => {
    expect(invisibleDisagreements()).toEqual([]);
  }, 60_000);

  it("are refused anywhere in a valid name, with the first one named", () => {
    fc.assert(
      fc.property(
        validName,
        fc.array(invisible, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (name, codePoints, at) => {
          const place = at % (name.length + 1);
          const hidden = codePoints.map((codePoint) => String.fromCodePoint(codePoint)).join("");
          const first = codePoints[0] ?? 0;
          expect(checkName(`${name.slice(0, place)}${hidden}${name.slice(place)}`)).toBe(
            invisibleProblem(first),
          );
        },
      ),
    );
  });
});
