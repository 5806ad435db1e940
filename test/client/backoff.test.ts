import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from "../../src/client/backoff.js";

const options = fc
  .record({
    baseDelay: fc.integer({ min: 1, max: 10_000 }),
    extra: fc.integer({ min: 0, max: 600_000 }),
  })
  .map(({ baseDelay, extra }) => ({ baseDelay, maxDelay: baseDelay + extra }));

describe("backoffCeiling", () => {
  it("doubles from the base and stops at the cap", () => {
    const ceilings = Array.from({ length: 8 }, (_, attempt) => backoffCeiling(attempt));
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffCeiling(10_000)).toBe(DEFAULT_BACKOFF.maxDelay);
  });

  it("is min(cap, base * 2^attempt) and never decreases", () => {
    fc.assert(
      fc.property(options, fc.integer({ min: 0, max: 2_000 }), (opts, attempt) => {
        const ceiling = backoffCeiling(attempt, opts);
        expect(ceiling).toBe(Math.min(opts.maxDelay, opts.baseDelay * 2 ** attempt));
        expect(backoffCeiling(attempt + 1, opts)).toBeGreaterThanOrEqual(ceiling);
        expect(ceiling).toBeLessThanOrEqual(opts.maxDelay);
      }),
    );
  });

  it("refuses attempts and options that make no sense", () => {
    expect(() => backoffCeiling(-1)).toThrow(RangeError);
    expect(() => backoffCeiling(1.5)).toThrow(RangeError);
    expect(() => backoffCeiling(Number.NaN)).toThrow(RangeError);
    expect(() => backoffCeiling(0, { baseDelay: 0, maxDelay: 10 })).toThrow(RangeError);
    expect(() => backoffCeiling(0, { baseDelay: 10, maxDelay: 5 })).toThrow(RangeError);
    expect(() => backoffCeiling(0, { baseDelay: 10, maxDelay: Infinity })).toThrow(RangeError);
  });
});

describe("backoffDelay", () => {
  it("stays within [0, ceiling] for any attempt, options and random source", () => {
    fc.assert(
      fc.property(
        options,
        fc.integer({ min: 0, max: 2_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (opts, attempt, sample) => {
          const delay = backoffDelay(attempt, opts, () => sample);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(backoffCeiling(attempt, opts));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it("spreads real samples over the whole range (full jitter)", () => {
    const samples = 20_000;
    for (const attempt of [0, 3, 12]) {
      const ceiling = backoffCeiling(attempt);
      const delays = Array.from({ length: samples }, () => backoffDelay(attempt));
      const mean = delays.reduce((sum, d) => sum + d, 0) / samples;
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThanOrEqual(ceiling);
      // Uniform on [0, ceiling]: mean ceiling/2 (standard error ~0.2% of the ceiling here).
      expect(Math.abs(mean - ceiling / 2)).toBeLessThan(ceiling * 0.02);
      // Each tenth of the range gets about a tenth of the samples.
      const buckets = new Array<number>(10).fill(0);
      for (const d of delays) {
        const bucket = Math.min(9, Math.floor((d / ceiling) * 10));
        buckets[bucket] = (buckets[bucket] ?? 0) + 1;
      }
      for (const count of buckets) expect(count).toBeGreaterThan(samples * 0.08);
    }
  });

  it("maps the random source linearly and treats a broken one as 0", () => {
    expect(backoffDelay(4, { baseDelay: 100, maxDelay: 1000 }, () => 0.5)).toBe(500);
    expect(backoffDelay(0, { baseDelay: 100, maxDelay: 1000 }, () => 0)).toBe(0);
    expect(backoffDelay(0, { baseDelay: 100, maxDelay: 1000 }, () => 1)).toBe(100);
    expect(backoffDelay(0, { baseDelay: 100, maxDelay: 1000 }, () => Number.NaN)).toBe(0);
    expect(backoffDelay(0, { baseDelay: 100, maxDelay: 1000 }, () => 7)).toBe(0);
  });
});
