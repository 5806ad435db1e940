/**
 * The scenarios: what each measures, and one run of it against one server with one kind of
 * client. The pipelined ones (throughput, fan-out) share one sending loop, {@link pipeline}.
 *
 * @module
 */

import { deferred, LossError, SequenceCheck, type Tripwire, within } from "./checks.js";
import {
  type BenchClient,
  benchFrame,
  benchFrameBytes,
  closeClients,
  connectClients,
  padding,
} from "./clients.js";
import { type CpuUse, percentiles, sampleProcesses, startCpuWindow, totalRss } from "./measure.js";
import type { ClientKind, PayloadSize, Plan } from "./plan.js";
import type { ServerProcess } from "./servers.js";

/** One figure a scenario reports. */
export interface MetricSpec {
  /** Key in the run's metrics and the JSON file. */
  id: string;
  /** Column text, unit included. */
  label: string;
  /** Which way is better, to read the ratio. */
  better: "higher" | "lower";
  /** Decimals shown in the table. */
  decimals: number;
}

/** Everything one run needs. */
export interface RunContext {
  server: ServerProcess;
  kind: ClientKind;
  /** `${server.url}/<room>`, a room no other run uses. */
  roomUrl: string;
  plan: Plan;
  trip: Tripwire;
}

/** What one run measured. */
export interface RunOutcome {
  /** By {@link MetricSpec.id}. */
  metrics: Record<string, number>;
  /** Frames (deliveries, identifies) checked to have arrived, in order. */
  checked: number;
  /** More facts for the JSON file (CPU, counts, memory per process). */
  detail: Record<string, unknown>;
}

/** A scenario of the bench. */
export interface Scenario {
  /** `throughput-64B`, `round-trip`, ... */
  id: string;
  /** One sentence: what is measured. */
  description: string;
  metrics: readonly MetricSpec[];
  /** True when each run needs server processes of its own (a fresh memory baseline). */
  freshServer?: boolean;
  run(context: RunContext): Promise<RunOutcome>;
}

/** Milliseconds a run may wait, beyond its sending cap, for what it sent to arrive. */
export const DRAIN_MS = 30_000;

/** Every scenario of `plan`, in the order the bench runs them. */
export function scenarios(plan: Plan): Scenario[] {
  return [
    ...plan.throughput.sizes.map(throughputScenario),
    roundTripScenario,
    fanOutScenario,
    idleMemoryScenario,
    connectScenario,
  ];
}

/** The first frames of a run of `frames`, sent and checked but left out of the figures. */
function warmUpOf(frames: number, plan: Plan): number {
  return Math.max(1, Math.floor(frames * plan.warmUpShare));
}

/** A pipelined stream: one sender, its frames to each of `receivers`. */
interface Stream {
  sender: string;
  target: string | string[];
  receivers: string[];
  frames: number;
  /** Frames in flight (sent, not yet received by every receiver) at most. */
  window: number;
  pad: string;
}

/** What a pipelined run measured, over its frames after the warm-up. */
interface Pipelined {
  /** Frames sent and received: the plan's, or fewer when the sending cap ended the run. */
  frames: number;
  warmUp: number;
  /** Deliveries checked in order (frames times receivers). */
  delivered: number;
  /** Measured deliveries per second. */
  perSecond: number;
  /** Server CPU per measured delivery, µs. */
  cpuUsEach: number;
  /** Delivery latencies of the measured frames, ms. */
  latencies: Float64Array;
  /** The CPU facts and what the server granted the first receiver, for the JSON file. */
  detail: Record<string, unknown>;
}

/**
 * The sending loop of the pipelined scenarios. The sender keeps up to a window of frames in
 * flight and, whenever it is half empty, tops it up in one go, so that frames written in the
 * same tick can be coalesced by a client that does so. Each receiver checks the order of
 * what it gets; the clock and the CPU window start once the warm-up has arrived everywhere;
 * after `plan.capMs` of sending the run waits only for what is in flight.
 */
async function pipeline(context: RunContext, stream: Stream): Promise<Pipelined> {
  const { kind, roomUrl, trip, plan, server } = context;
  const receivers = stream.receivers.length;
  const warmUp = warmUpOf(stream.frames, plan);
  const checks = stream.receivers.map(
    (name) => new SequenceCheck(`${name} (from ${stream.sender})`, trip),
  );
  const latencies = new Float64Array((stream.frames - warmUp) * receivers);
  const done = deferred();
  let planned = stream.frames;
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
    const limit = Math.min(planned, Math.floor(delivered / receivers) + stream.window);
    while (sent < limit) {
      sender.send(benchFrame(stream.sender, stream.target, sent, performance.now(), stream.pad));
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
      planned = sent; // Sent long enough: wait only for what is in flight.
    }
    if (delivered === planned * receivers) {
      t1 = performance.now();
      cpu = endCpu?.() ?? cpu;
      done.resolve();
    } else if (sent * receivers - delivered <= (stream.window * receivers) / 2) {
      pump();
    }
  };

  const clients = await connectClients(kind, roomUrl, [...stream.receivers, stream.sender], {
    concurrency: 10,
    trip,
    onBench: (index) =>
      index < receivers
        ? (stamp) => onDelivery(index, stamp.seq, stamp.t)
        : () => trip.fail(new LossError(`${stream.sender} received a frame of its own`)),
  });
  const granted = clients[0]?.granted() ?? [];
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
  const seconds = (t1 - t0) / 1000;
  const deliveries = (planned - warmUp) * receivers;
  return {
    frames: planned,
    warmUp,
    delivered,
    perSecond: deliveries / seconds,
    cpuUsEach: (cpu.server * 1000) / deliveries,
    latencies: latencies.subarray(0, measured),
    detail: {
      granted,
      seconds,
      serverCpuMs: cpu.server,
      serverCpuMsByCommand: cpu.byCommand,
      harnessCpuShare: cpu.harness / (t1 - t0),
    },
  };
}

function metric(
  id: string,
  label: string,
  better: MetricSpec["better"],
  decimals: number,
): MetricSpec {
  return { id, label, better, decimals };
}

/**
 * Pipelined frames from A to B, one payload size per scenario, with a window of 4 MiB worth
 * of frames (at most `maxWindow`, at least 16).
 */
function throughputScenario(size: PayloadSize): Scenario {
  return {
    id: `throughput-${size.label}`,
    description: `A sends ${size.label} payloads to B, pipelined: frames/s and MB/s of frames as sent, server CPU per frame`,
    metrics: [
      metric("framesPerSecond", "frames/s", "higher", 0),
      metric("megabytesPerSecond", "MB/s", "higher", 2),
      metric("serverCpuUsPerFrame", "server CPU µs/frame", "lower", 1),
    ],
    async run(context) {
      const pad = padding(size.bytes);
      const frameBytes = benchFrameBytes("A", ["B"], pad);
      const { windowBytes, maxWindow } = context.plan.throughput;
      const window = Math.max(16, Math.min(maxWindow, Math.floor(windowBytes / frameBytes)));
      const stream = {
        sender: "A",
        target: ["B"],
        receivers: ["B"],
        frames: size.frames,
        window,
        pad,
      };
      const run = await pipeline(context, stream);
      return {
        metrics: {
          framesPerSecond: run.perSecond,
          megabytesPerSecond: (run.perSecond * frameBytes) / 1e6,
          serverCpuUsPerFrame: run.cpuUsEach,
        },
        checked: run.delivered,
        detail: {
          frameBytes,
          window,
          warmUpFrames: run.warmUp,
          measuredFrames: run.frames - run.warmUp,
          ...run.detail,
        },
      };
    },
  };
}

/** One sender to a room of receivers, every frame addressed to `"*"`. */
const fanOutScenario: Scenario = {
  id: "fan-out",
  description:
    'one sender to every other client of the room ("*"): deliveries/s, delivery latency, server CPU per delivery',
  metrics: [
    metric("deliveriesPerSecond", "deliveries/s", "higher", 0),
    metric("deliveryP99Ms", "delivery p99 ms", "lower", 2),
    metric("serverCpuUsPerDelivery", "server CPU µs/delivery", "lower", 2),
  ],
  async run(context) {
    const { receivers: count, frames, window, payloadBytes } = context.plan.fanOut;
    const receivers = Array.from({ length: count }, (_, i) => `R${i}`);
    const pad = padding(payloadBytes);
    const run = await pipeline(context, {
      sender: "S",
      target: "*",
      receivers,
      frames,
      window,
      pad,
    });
    const [p99] = percentiles(run.latencies, [99]);
    return {
      metrics: {
        deliveriesPerSecond: run.perSecond,
        deliveryP99Ms: p99 ?? Number.NaN,
        serverCpuUsPerDelivery: run.cpuUsEach,
      },
      checked: run.delivered,
      detail: { receivers: count, frames: run.frames, warmUpFrames: run.warmUp, ...run.detail },
    };
  },
};

/**
 * Round trips A to B to A, one in flight: A sends, B sends the frame's stamp back, A sends
 * the next one when the answer arrives.
 */
const roundTripScenario: Scenario = {
  id: "round-trip",
  description: "A sends to B, B answers, one frame in flight: round-trip latency percentiles",
  metrics: [
    metric("p50Ms", "p50 ms", "lower", 3),
    metric("p99Ms", "p99 ms", "lower", 3),
    metric("p999Ms", "p99.9 ms", "lower", 3),
  ],
  async run({ kind, roomUrl, trip, plan }) {
    const { count, payloadBytes } = plan.roundTrip;
    const pad = padding(payloadBytes);
    const warmUp = warmUpOf(count, plan);
    const atB = new SequenceCheck("B (from A)", trip);
    const atA = new SequenceCheck("A (answers from B)", trip);
    const samples = new Float64Array(count);
    const done = deferred();
    let planned = count;
    let started = 0;
    let measured = 0;
    let a: BenchClient | undefined;
    let b: BenchClient | undefined;

    const send = (seq: number): void => {
      a?.send(benchFrame("A", ["B"], seq, performance.now(), pad));
    };
    const onAnswer = (seq: number, t: number): void => {
      const now = performance.now();
      if (!atA.take(seq)) return;
      if (seq >= warmUp) {
        samples[measured] = now - t;
        measured += 1;
      }
      if (seq >= warmUp && now - started > plan.capMs) planned = seq + 1;
      if (atA.received >= planned) done.resolve();
      else send(seq + 1);
    };
    const onAtB = (seq: number, t: number): void => {
      if (atB.take(seq)) b?.send(benchFrame("B", ["A"], seq, t, pad));
    };

    const clients = await connectClients(kind, roomUrl, ["A", "B"], {
      concurrency: 2,
      trip,
      onBench: (index) =>
        index === 0
          ? (stamp) => onAnswer(stamp.seq, stamp.t)
          : (stamp) => onAtB(stamp.seq, stamp.t),
    });
    [a, b] = clients;
    const granted = b?.granted() ?? [];
    try {
      started = performance.now();
      send(0);
      await within(
        done.promise,
        plan.capMs + DRAIN_MS,
        () => `round trip ${atA.received} of ${planned} to come back`,
        trip,
      );
    } finally {
      await closeClients(clients);
    }
    const [p50, p99, p999] = percentiles(samples.subarray(0, measured), [50, 99, 99.9]);
    return {
      metrics: { p50Ms: p50 ?? Number.NaN, p99Ms: p99 ?? Number.NaN, p999Ms: p999 ?? Number.NaN },
      checked: atA.received + atB.received,
      detail: { granted, roundTrips: atA.received, measured, warmUp },
    };
  },
};

/**
 * Memory of the server's processes per 1,000 idle identified clients. Each run has server
 * processes of its own; a first client creates the room, then the resident memory (RSS) of
 * every process of the server is summed before and after the clients connect and identify.
 */
const idleMemoryScenario: Scenario = {
  id: "idle-memory",
  description:
    "RSS of the server's processes, after minus before connecting idle identified clients, per 1,000 clients",
  metrics: [metric("mbPer1000Clients", "MB per 1,000 idle clients", "lower", 1)],
  freshServer: true,
  async run({ kind, roomUrl, trip, plan, server }) {
    const { clients: count, concurrency } = plan.idleMemory;
    const first = await connectClients(kind, roomUrl, ["first"], { concurrency: 1, trip });
    const pids = server.tree();
    const before = sampleProcesses(pids);
    const names = Array.from({ length: count }, (_, i) => `idle-${i}`);
    let clients: BenchClient[] = [];
    try {
      clients = await connectClients(kind, roomUrl, names, { concurrency, trip });
      const after = sampleProcesses(pids);
      const grown = totalRss(after) - totalRss(before);
      const processes = (samples: typeof after) =>
        samples.map(({ pid, command, rssBytes }) => ({ pid, command, rssBytes }));
      return {
        metrics: { mbPer1000Clients: ((grown / count) * 1000) / 1e6 },
        checked: count,
        detail: {
          clients: count,
          beforeBytes: totalRss(before),
          afterBytes: totalRss(after),
          processes: processes(after),
          processesBefore: processes(before),
        },
      };
    } finally {
      await closeClients([...first, ...clients]);
    }
  },
};

/**
 * Connect and identify, a bounded number at a time: from the first connection attempt until
 * the last client is surely identified.
 */
const connectScenario: Scenario = {
  id: "connect",
  description: "clients connect and identify, a fixed number in flight: connects/s",
  metrics: [metric("connectsPerSecond", "connects/s", "higher", 0)],
  async run({ kind, roomUrl, trip, plan }) {
    const { clients: count, concurrency } = plan.connect;
    const names = Array.from({ length: count }, (_, i) => `c-${i}`);
    const started = performance.now();
    let clients: BenchClient[] = [];
    try {
      clients = await connectClients(kind, roomUrl, names, { concurrency, trip });
      const seconds = (performance.now() - started) / 1000;
      return {
        metrics: { connectsPerSecond: count / seconds },
        checked: count,
        detail: { clients: count, concurrency, seconds },
      };
    } finally {
      await closeClients(clients);
    }
  },
};

/** The unmeasured pipelined run before the first measured one, on each server and client kind. */
export const warmUpScenario: Scenario = throughputScenario({
  label: "64B",
  bytes: 64,
  frames: 5_000,
});
