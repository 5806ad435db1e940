import { describe, expect, it } from "vitest";
import { type Outgoing, outgoingOfText } from "../../src/client/outgoing.js";
import { DEFAULT_UNCONFIRMED_LIMITS, UnconfirmedFrames } from "../../src/client/unconfirmed.js";

const frame = (n: number): Outgoing => outgoingOfText(`{"type":"n","data":${n},"target":"B"}`);
const data = (frames: Outgoing[]): unknown[] => frames.map((f) => JSON.parse(f.text).data);

describe("UnconfirmedFrames", () => {
  it("confirms every send up to the acked one: acks are cumulative", () => {
    const unconfirmed = new UnconfirmedFrames();
    expect(unconfirmed.limits).toEqual(DEFAULT_UNCONFIRMED_LIMITS);
    unconfirmed.record(1, [frame(1)], 10);
    unconfirmed.record(undefined, [frame(2)], 10);
    unconfirmed.record(3, [frame(3), frame(4)], 20);
    unconfirmed.record("x", [frame(5)], 10);
    expect([unconfirmed.frames, unconfirmed.bytes]).toEqual([5, 50]);
    expect(unconfirmed.confirm(3)).toBe(4);
    expect(unconfirmed.confirm(3)).toBe(0);
    expect(unconfirmed.confirm(99)).toBe(0);
    expect([unconfirmed.frames, unconfirmed.bytes]).toEqual([1, 10]);
    const left = unconfirmed.take();
    expect([data(left.frames), left.untracked]).toEqual([[5], 0]);
    expect([unconfirmed.frames, unconfirmed.bytes]).toEqual([0, 0]);
  });

  it("matches a repeated id to the oldest send that has it", () => {
    const unconfirmed = new UnconfirmedFrames();
    unconfirmed.record("same", [frame(1)], 1);
    unconfirmed.record("same", [frame(2)], 1);
    expect(unconfirmed.confirm("same")).toBe(1);
    expect(data(unconfirmed.take().frames)).toEqual([2]);
  });

  it("lets the oldest texts go past either bound, and still counts them", () => {
    const byCount = new UnconfirmedFrames({ maxFrames: 3, maxBytes: 1_000 });
    for (const n of [1, 2, 3]) byCount.record(n, [frame(n)], 1);
    byCount.record(4, [frame(4), frame(5)], 2);
    expect([byCount.frames, byCount.untracked]).toEqual([5, 2]);
    const left = byCount.take();
    expect([data(left.frames), left.untracked]).toEqual([[3, 4, 5], 2]);

    const byBytes = new UnconfirmedFrames({ maxFrames: 100, maxBytes: 25 });
    byBytes.record(1, [frame(1)], 10);
    byBytes.record(2, [frame(2)], 10);
    byBytes.record(3, [frame(3)], 10);
    expect([byBytes.untracked, byBytes.bytes]).toEqual([1, 20]);
    // A send larger than the bound on its own is counted at once.
    byBytes.record(4, [frame(4)], 30);
    expect([byBytes.frames, byBytes.untracked, byBytes.bytes]).toEqual([4, 4, 0]);
  });

  it("confirms the counted frames with any later ack, and ignores an ack of one of them", () => {
    const unconfirmed = new UnconfirmedFrames({ maxFrames: 2, maxBytes: 1_000 });
    for (const n of [1, 2, 3, 4]) unconfirmed.record(n, [frame(n)], 1);
    expect([unconfirmed.frames, unconfirmed.untracked]).toEqual([4, 2]);
    // The relay acked a send whose text is gone: a later ack will say as much.
    expect(unconfirmed.confirm(2)).toBe(0);
    expect(unconfirmed.confirm(3)).toBe(3);
    expect([unconfirmed.frames, unconfirmed.untracked]).toEqual([1, 0]);
    expect(data(unconfirmed.take().frames)).toEqual([4]);
  });

  it("stays right over many sends (the list is compacted as it goes)", () => {
    const unconfirmed = new UnconfirmedFrames();
    let confirmed = 0;
    for (let n = 1; n <= 5_000; n++) {
      unconfirmed.record(n, [frame(n)], 1);
      if (n % 7 !== 0) continue;
      expect(unconfirmed.confirm(n - 3)).toBe(n - 3 - confirmed);
      confirmed = n - 3;
    }
    expect(confirmed).toBe(4_998 - 3);
    expect(data(unconfirmed.take().frames)).toEqual([4_996, 4_997, 4_998, 4_999, 5_000]);
  });

  it("refuses negative or fractional bounds", () => {
    expect(() => new UnconfirmedFrames({ maxFrames: -1, maxBytes: 1 })).toThrow(RangeError);
    expect(() => new UnconfirmedFrames({ maxFrames: 1, maxBytes: 1.5 })).toThrow(RangeError);
  });
});
