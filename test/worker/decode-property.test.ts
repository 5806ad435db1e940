import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, decodeFrame } from "wscomsrv-protocol";

const name = fc.string({ minLength: 1, maxLength: 8 });
const envelope = fc.record(
  {
    type: fc.string({ minLength: 1, maxLength: 8 }).filter((type) => type !== "cmd"),
    data: fc.jsonValue({ maxDepth: 4 }),
    from: fc.string({ maxLength: 8 }),
    target: fc.oneof(name, fc.array(name, { minLength: 1, maxLength: 5 })),
    id: fc.oneof(fc.nat(), fc.string({ minLength: 1, maxLength: 16 })),
  },
  { requiredKeys: ["type", "target"] },
);
const command = fc.record({
  type: fc.constant("cmd"),
  data: fc.record(
    {
      cmd: fc.string({ minLength: 1, maxLength: 8 }),
      args: fc.array(fc.jsonValue({ maxDepth: 2 })),
      kwargs: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
    },
    { requiredKeys: ["cmd"] },
  ),
  target: fc.oneof(name, fc.array(name, { minLength: 1, maxLength: 5 })),
});

describe("the decoder, on random input", () => {
  it("never throws, and accepts only envelopes it can route", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          envelope.map((e) => JSON.stringify(e)),
        ),
        (text) => {
          const result = decodeFrame(text, DEFAULT_LIMITS);
          if (!result.ok) {
            expect(result.error.code).toMatch(/^[A-Z_]+$/);
            expect(result.error.message.length).toBeGreaterThan(0);
            return;
          }
          const { envelope: decoded } = result.frame;
          expect(typeof decoded.type).toBe("string");
          expect(decoded.target.length).toBeGreaterThan(0);
          for (const target of decoded.target) expect(typeof target).toBe("string");
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("accepts every valid envelope and keeps its fields", () => {
    fc.assert(
      fc.property(envelope, (generated) => {
        const text = JSON.stringify(generated);
        const frame: typeof generated = JSON.parse(text); // as JSON has it (-0 is 0)
        const result = decodeFrame(text, DEFAULT_LIMITS);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const targets = typeof frame.target === "string" ? [frame.target] : frame.target;
        expect(result.frame.envelope.target).toEqual(targets);
        expect(result.frame.fields).toEqual({ ...frame, target: targets });
      }),
      { numRuns: 1_000 },
    );
  });

  it("accepts every valid command and fills in args and kwargs", () => {
    fc.assert(
      fc.property(command, (generated) => {
        const text = JSON.stringify(generated);
        const frame: typeof generated = JSON.parse(text);
        const result = decodeFrame(text, DEFAULT_LIMITS);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.frame.fields.data).toEqual({
          cmd: frame.data.cmd,
          args: frame.data.args ?? [],
          kwargs: frame.data.kwargs ?? {},
        });
      }),
      { numRuns: 1_000 },
    );
  });

  it("refuses deep nesting without overflowing the stack", () => {
    const levels = 400_000;
    const text = `{"type":"t","target":"B","data":${"[".repeat(levels)}${"]".repeat(levels)}}`;
    const result = decodeFrame(text, DEFAULT_LIMITS);
    expect(result).toMatchObject({ ok: false, error: { code: "TOO_DEEP" } });
  });
});
