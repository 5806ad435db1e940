/**
 * Scenario 1: pipelined frames from A to B, one payload size per scenario. A keeps up to a
 * window of frames in flight (sent, not yet received by B), and tops it up in bursts of half
 * a window, so that frames written in the same tick can be coalesced by a client that does so.
 *
 * @module
 */

import { type BenchClient, closeClients, connectClients } from "../bench-client.js";
import { benchFrame, benchFrameBytes, padding } from "../bench-frame.js";
import { type CpuUse, startCpuWindow } from "../cpu-window.js";
import type { PayloadSize } from "../plan.js";
import { SequenceCheck } from "../sequence.js";
import { deferred, within } from "../tripwire.js";
import { DRAIN_MS, type RunContext, type RunOutcome, type Scenario } from "./scenario.js";

/** The pipelined scenario for one payload size. */
export function throughputScenario(size: PayloadSize): Scenario {
  return {
    id: `throughput-${size.label}`,
    description: `A sends ${size.label} payloads to B, pipelined: frames/s and MB/s of frames as sent, server CPU per frame`,
    metrics: [
      { id: "framesPerSecond", label: "frames/s", better: "higher", decimals: 0 },
      { id: "megabytesPerSecond", label: "MB/s", better: "higher", decimals: 2 },
      { id: "serverCpuUsPerFrame", label: "server CPU µs/frame", better: "lower", decimals: 1 },
    ],
    freshServer: false,
    run: (context) => runThroughput(context, size),
  };
}

async function runThroughput(context: RunContext, size: PayloadSize): Promise<RunOutcome> {
  const { kind, roomUrl, trip, plan, server } = context;
  const pad = padding(size.bytes);
  const frameBytes = benchFrameBytes("A", ["B"], pad);
  const window = Math.max(
    16,
    Math.min(plan.throughput.maxWindow, Math.floor(plan.throughput.windowBytes / frameBytes)),
  );
  const warmUp = Math.max(1, Math.floor(size.frames * plan.warmUpShare));
  const check = new SequenceCheck("B (from A)", trip);
  const done = deferred();
  let planned = size.frames;
  let sent = 0;
  let started = 0;
  let t0 = 0;
  let t1 = 0;
  let endCpu: (() => CpuUse) | undefined;
  let cpu: CpuUse = { server: 0, byCommand: {}, harness: 0 };
  let sender: BenchClient | undefined;

  const pump = (): void => {
    if (sender === undefined) return;
    const limit = Math.min(planned, check.received + window);
    while (sent < limit) {
      sender.send(benchFrame("A", ["B"], sent, performance.now(), pad));
      sent += 1;
    }
  };
  const onFrame = (seq: number): void => {
    if (!check.take(seq)) return;
    const received = check.received;
    const now = performance.now();
    if (received === warmUp) {
      t0 = now;
      endCpu = startCpuWindow(server);
    } else if (received > warmUp && now - started > plan.capMs) {
      planned = sent; // Sent long enough: wait only for what is in flight.
    }
    if (received === planned) {
      t1 = performance.now();
      cpu = endCpu?.() ?? cpu;
      done.resolve();
    } else if (sent - received <= window / 2) {
      pump();
    }
  };

  const [receiver, a] = await connectClients(kind, roomUrl, ["B", "A"], {
    concurrency: 2,
    trip,
    onBench: (index) => (index === 0 ? (stamp) => onFrame(stamp.seq) : () => {}),
  });
  try {
    sender = a;
    started = performance.now();
    pump();
    await within(
      done.promise,
      plan.capMs + DRAIN_MS,
      () => `B to receive ${planned} frames (got ${check.received}, sent ${sent})`,
      trip,
    );
  } finally {
    await closeClients([receiver, a].filter((client) => client !== undefined));
  }
  const frames = planned - warmUp;
  const seconds = (t1 - t0) / 1000;
  const framesPerSecond = frames / seconds;
  return {
    metrics: {
      framesPerSecond,
      megabytesPerSecond: (framesPerSecond * frameBytes) / 1e6,
      serverCpuUsPerFrame: (cpu.server * 1000) / frames,
    },
    checked: check.received,
    detail: {
      frameBytes,
      window,
      warmUpFrames: warmUp,
      measuredFrames: frames,
      seconds,
      serverCpuMs: cpu.server,
      serverCpuMsByCommand: cpu.byCommand,
      harnessCpuShare: cpu.harness / (t1 - t0),
    },
  };
}
