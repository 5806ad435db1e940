/**
 * Scenario 2: round trips A to B to A, one in flight: A sends, B sends the frame's stamp
 * back, A sends the next one when the answer arrives.
 *
 * @module
 */

import { type BenchClient, closeClients, connectClients } from "../bench-client.js";
import { benchFrame, padding } from "../bench-frame.js";
import { SequenceCheck } from "../sequence.js";
import { percentiles } from "../stats.js";
import { deferred, within } from "../tripwire.js";
import { DRAIN_MS, type RunContext, type RunOutcome, type Scenario } from "./scenario.js";

/** The round-trip scenario. */
export const roundTripScenario: Scenario = {
  id: "round-trip",
  description: "A sends to B, B answers, one frame in flight: round-trip latency percentiles",
  metrics: [
    { id: "p50Ms", label: "p50 ms", better: "lower", decimals: 3 },
    { id: "p99Ms", label: "p99 ms", better: "lower", decimals: 3 },
    { id: "p999Ms", label: "p99.9 ms", better: "lower", decimals: 3 },
  ],
  freshServer: false,
  run: runRoundTrip,
};

async function runRoundTrip(context: RunContext): Promise<RunOutcome> {
  const { kind, roomUrl, trip, plan } = context;
  const { count, payloadBytes } = plan.roundTrip;
  const pad = padding(payloadBytes);
  const warmUp = Math.max(1, Math.floor(count * plan.warmUpShare));
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
      index === 0 ? (stamp) => onAnswer(stamp.seq, stamp.t) : (stamp) => onAtB(stamp.seq, stamp.t),
  });
  [a, b] = clients;
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
    detail: { roundTrips: atA.received, measured, warmUp },
  };
}
