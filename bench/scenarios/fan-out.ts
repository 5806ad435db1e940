/**
 * Scenario 3: one sender to a room of receivers, every frame addressed to `"*"`. The sender
 * keeps up to a window of frames in flight (not yet received by every receiver) and tops it
 * up in bursts of half a window.
 *
 * @module
 */

import { type BenchClient, closeClients, connectClients } from "../bench-client.js";
import { benchFrame, padding } from "../bench-frame.js";
import { type CpuUse, startCpuWindow } from "../cpu-window.js";
import { SequenceCheck } from "../sequence.js";
import { percentiles } from "../stats.js";
import { deferred, LossError, within } from "../tripwire.js";
import { DRAIN_MS, type RunContext, type RunOutcome, type Scenario } from "./scenario.js";

/** The fan-out scenario. */
export const fanOutScenario: Scenario = {
  id: "fan-out",
  description:
    'one sender to every other client of the room ("*"): deliveries/s, delivery latency, server CPU per delivery',
  metrics: [
    { id: "deliveriesPerSecond", label: "deliveries/s", better: "higher", decimals: 0 },
    { id: "deliveryP99Ms", label: "delivery p99 ms", better: "lower", decimals: 2 },
    {
      id: "serverCpuUsPerDelivery",
      label: "server CPU µs/delivery",
      better: "lower",
      decimals: 2,
    },
  ],
  freshServer: false,
  run: runFanOut,
};

async function runFanOut(context: RunContext): Promise<RunOutcome> {
  const { kind, roomUrl, trip, plan, server } = context;
  const { receivers, frames, window, payloadBytes } = plan.fanOut;
  const pad = padding(payloadBytes);
  const warmUp = Math.max(1, Math.floor(frames * plan.warmUpShare));
  const checks = Array.from(
    { length: receivers },
    (_, i) => new SequenceCheck(`R${i} (from S)`, trip),
  );
  const latencies = new Float64Array((frames - warmUp) * receivers);
  const done = deferred();
  let planned = frames;
  let sent = 0;
  let delivered = 0;
  let measured = 0;
  let started = 0;
  let t0 = 0;
  let t1 = 0;
  let endCpu: (() => CpuUse) | undefined;
  let cpu: CpuUse = { server: 0, byCommand: {}, harness: 0 };
  let sender: BenchClient | undefined;

  const pump = (): void => {
    if (sender === undefined) return;
    const limit = Math.min(planned, Math.floor(delivered / receivers) + window);
    while (sent < limit) {
      sender.send(benchFrame("S", "*", sent, performance.now(), pad));
      sent += 1;
    }
  };
  const onDelivery = (receiver: number, seq: number, t: number): void => {
    const now = performance.now();
    if (!checks[receiver]?.take(seq)) return;
    delivered += 1;
    if (seq >= warmUp && measured < latencies.length) {
      latencies[measured] = now - t;
      measured += 1;
    }
    if (delivered === warmUp * receivers) {
      t0 = now;
      endCpu = startCpuWindow(server);
    } else if (t0 > 0 && now - started > plan.capMs) {
      planned = sent;
    }
    if (delivered === planned * receivers) {
      t1 = performance.now();
      cpu = endCpu?.() ?? cpu;
      done.resolve();
    } else if (sent * receivers - delivered <= (window * receivers) / 2) {
      pump();
    }
  };

  const names = [...Array.from({ length: receivers }, (_, i) => `R${i}`), "S"];
  const clients = await connectClients(kind, roomUrl, names, {
    concurrency: 10,
    trip,
    onBench: (index) =>
      index < receivers
        ? (stamp) => onDelivery(index, stamp.seq, stamp.t)
        : () => trip.fail(new LossError('S received its own frame to "*"')),
  });
  try {
    sender = clients[receivers];
    started = performance.now();
    pump();
    await within(
      done.promise,
      plan.capMs + DRAIN_MS,
      () => `${planned * receivers} deliveries (got ${delivered}, sent ${sent} frames)`,
      trip,
    );
  } finally {
    await closeClients(clients);
  }
  const deliveries = (planned - warmUp) * receivers;
  const [p99] = percentiles(latencies.subarray(0, measured), [99]);
  return {
    metrics: {
      deliveriesPerSecond: deliveries / ((t1 - t0) / 1000),
      deliveryP99Ms: p99 ?? Number.NaN,
      serverCpuUsPerDelivery: (cpu.server * 1000) / deliveries,
    },
    checked: delivered,
    detail: {
      receivers,
      frames: planned,
      warmUpFrames: warmUp,
      seconds: (t1 - t0) / 1000,
      serverCpuMs: cpu.server,
      serverCpuMsByCommand: cpu.byCommand,
      harnessCpuShare: cpu.harness / (t1 - t0),
    },
  };
}
