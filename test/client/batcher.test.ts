import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clientBatchText } from "wscomsrv-protocol";
import { Batcher, DEFAULT_BATCH_LIMITS } from "../../src/client/batcher.js";
import { type Outgoing, outgoingOfText } from "../../src/client/outgoing.js";
import { utf8Length } from "../../src/client/utf8.js";

const frame = (n: number, pad = ""): Outgoing =>
  outgoingOfText(JSON.stringify({ type: "n", data: n, pad, target: "B" }));

/** A batcher whose flushes run when the test says, recording every send. */
function manual(limits = DEFAULT_BATCH_LIMITS): {
  batcher: Batcher;
  sends: Array<{ frames: Outgoing[]; bytes: number }>;
  tick: () => void;
} {
  const sends: Array<{ frames: Outgoing[]; bytes: number }> = [];
  const tasks: Array<() => void> = [];
  const batcher = new Batcher(
    limits,
    (frames, bytes) => sends.push({ frames: [...frames], bytes }),
    (task) => tasks.push(task),
  );
  const tick = (): void => {
    for (const task of tasks.splice(0)) task();
  };
  return { batcher, sends, tick };
}

describe("Batcher", () => {
  it("sends the frames of one tick together, in order, once the tick ends", async () => {
    const sends: Outgoing[][] = [];
    const batcher = new Batcher(DEFAULT_BATCH_LIMITS, (frames) => sends.push([...frames]));
    for (const n of [1, 2, 3]) batcher.push(frame(n));
    expect(batcher.pending).toBe(3);
    expect(sends).toEqual([]);
    await Promise.resolve();
    expect(sends.map((group) => group.map((f) => JSON.parse(f.text).data))).toEqual([[1, 2, 3]]);
    batcher.push(frame(4));
    await Promise.resolve();
    expect(sends).toHaveLength(2);
    expect(sends[1]).toHaveLength(1);
  });

  it("splits at maxFrames", () => {
    const { batcher, sends, tick } = manual({ maxFrames: 1_000, maxBytes: 1 << 30 });
    for (let n = 0; n < 2_500; n++) batcher.push(frame(n));
    tick();
    expect(sends.map((send) => send.frames.length)).toEqual([1_000, 1_000, 500]);
    expect(sends.flatMap((send) => send.frames.map((f) => JSON.parse(f.text).data))).toEqual(
      Array.from({ length: 2_500 }, (_, n) => n),
    );
  });

  it("sends a frame that is not a JSON object alone, between the batches around it", () => {
    const { batcher, sends, tick } = manual();
    batcher.push(frame(1));
    batcher.push(frame(2));
    batcher.push(outgoingOfText("[3]"));
    batcher.push(frame(4));
    tick();
    expect(sends.map((send) => send.frames.map((f) => f.text.slice(0, 20)))).toEqual([
      [frame(1).text.slice(0, 20), frame(2).text.slice(0, 20)],
      ["[3]"],
      [frame(4).text.slice(0, 20)],
    ]);
  });

  it("flush() sends at once; the scheduled flush then finds nothing", () => {
    const { batcher, sends, tick } = manual();
    batcher.push(frame(1));
    batcher.flush();
    expect(sends).toHaveLength(1);
    tick();
    expect(sends).toHaveLength(1);
  });

  it("keeps every batch within maxBytes, wrapper and largest id included, and loses nothing", () => {
    const text = fc.string({ unit: "binary", maxLength: 300 });
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 150, max: 3_000 }),
        (pads, maxFrames, maxBytes) => {
          const { batcher, sends, tick } = manual({ maxFrames, maxBytes });
          const frames = pads.map((pad, n) => frame(n, pad));
          for (const f of frames) batcher.push(f);
          tick();
          expect(sends.flatMap((send) => send.frames)).toEqual(frames);
          for (const send of sends) {
            expect(send.frames.length).toBeLessThanOrEqual(maxFrames);
            expect(send.bytes).toBe(send.frames.reduce((sum, f) => sum + utf8Length(f.text), 0));
            if (send.frames.length === 1) continue;
            const batch = clientBatchText(
              send.frames.map((f) => f.text),
              Number.MAX_SAFE_INTEGER,
            );
            expect(utf8Length(batch)).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses limits below 1", () => {
    expect(() => new Batcher({ maxFrames: 0, maxBytes: 10 }, () => {})).toThrow(RangeError);
    expect(() => new Batcher({ maxFrames: 1, maxBytes: 0.5 }, () => {})).toThrow(RangeError);
  });
});
