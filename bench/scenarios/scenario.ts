/**
 * What a scenario is: named metrics, and a run against one server with one kind of client.
 *
 * @module
 */

import type { ClientKind } from "../bench-client.js";
import type { Plan } from "../plan.js";
import type { ServerProcess } from "../server-process.js";
import type { Tripwire } from "../tripwire.js";

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
  freshServer: boolean;
  run(context: RunContext): Promise<RunOutcome>;
}

/** Milliseconds a run may wait, beyond its sending cap, for what it sent to arrive. */
export const DRAIN_MS = 30_000;
