import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_QUEUE_LIMITS, FrameQueue } from "../../src/client/queue.js";
import { utf8Length } from "../../src/client/utf8.js";

describe("utf8Length", () => {
  it("matches TextEncoder for any string, lone surrogates included", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(utf8Length(text)).toBe(encoder.encode(text).byteLength);
      }),
      { numRuns: 2_000 },
    );
    expect(utf8Length("\ud800")).toBe(3);
    expect(utf8Length("😀")).toBe(4);
  });

  it("matches TextEncoder for long texts too, a surrogate pair on a slice boundary included", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1_000, maxLength: 40_000 }), (text) => {
        expect(utf8Length(text)).toBe(encoder.encode(text).byteLength);
      }),
      { numRuns: 50 },
    );
    for (const at of [16_383, 16_384, 16_385]) {
      const text = `${"a".repeat(at - 1)}😀${"b".repeat(20_000)}`;
      expect(utf8Length(text)).toBe(encoder.encode(text).byteLength);
    }
    expect(utf8Length(`${"\ud800".repeat(20_000)}x`)).toBe(60_001);
  });
});

describe("FrameQueue", () => {
  it("keeps frames in order and drains them all", () => {
    const queue = new FrameQueue();
    expect(queue.limits).toEqual(DEFAULT_QUEUE_LIMITS);
    for (const text of ["a", "b", "c"]) expect(queue.push(text)).toBeUndefined();
    expect(queue.length).toBe(3);
    expect(queue.bytes).toBe(3);
    expect(queue.drain()).toEqual(["a", "b", "c"]);
    expect(queue.length).toBe(0);
    expect(queue.bytes).toBe(0);
  });

  it("puts frames back at the front whatever the bounds, and counts them against new ones", () => {
    const queue = new FrameQueue({ maxFrames: 2, maxBytes: 1_000 });
    queue.push("c");
    queue.requeue(["a", "b"]);
    // Over the bound now: nothing was dropped, and a new frame does not fit.
    expect([queue.length, queue.bytes]).toEqual([3, 3]);
    expect(queue.push("d")).toBe("2 frames queued");
    queue.requeue([]);
    expect(queue.drain()).toEqual(["a", "b", "c"]);
    expect(queue.bytes).toBe(0);
    const bytes = new FrameQueue({ maxFrames: 100, maxBytes: 4 });
    bytes.requeue(["éé"]);
    expect(bytes.push("x")).toMatch(/4 of 4 bytes queued, the frame has 1/);
  });

  it("refuses the new frame when the count is reached and keeps the old ones", () => {
    const queue = new FrameQueue({ maxFrames: 2, maxBytes: 1_000 });
    queue.push("a");
    queue.push("b");
    expect(queue.push("c")).toBe("2 frames queued");
    expect(queue.drain()).toEqual(["a", "b"]);
  });

  it("refuses a frame that would pass the byte bound, and takes a smaller one after it", () => {
    const queue = new FrameQueue({ maxFrames: 100, maxBytes: 10 });
    expect(queue.push("12345678")).toBeUndefined();
    expect(queue.push("éé")).toMatch(/8 of 10 bytes queued, the frame has 4/);
    expect(queue.push("é")).toBeUndefined();
    expect(queue.bytes).toBe(10);
    expect(queue.clear()).toBe(2);
  });

  it("never holds more than its bounds, whatever is pushed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.string(), { maxLength: 60 }),
        (maxFrames, maxBytes, frames) => {
          const queue = new FrameQueue({ maxFrames, maxBytes });
          const accepted = frames.filter((text) => queue.push(text) === undefined);
          expect(queue.length).toBeLessThanOrEqual(maxFrames);
          expect(queue.bytes).toBeLessThanOrEqual(maxBytes);
          expect(queue.drain()).toEqual(accepted);
        },
      ),
    );
  });

  it("refuses bounds that are not whole numbers >= 0", () => {
    expect(() => new FrameQueue({ maxFrames: -1, maxBytes: 1 })).toThrow(RangeError);
    expect(() => new FrameQueue({ maxFrames: 1, maxBytes: 0.5 })).toThrow(RangeError);
  });
});
