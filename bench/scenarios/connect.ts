/**
 * Scenario 5: connect and identify, a bounded number at a time: from the first connection
 * attempt until the last client is surely identified.
 *
 * @module
 */

import { type BenchClient, closeClients, connectClients } from "../bench-client.js";
import type { RunContext, RunOutcome, Scenario } from "./scenario.js";

/** The connect scenario. */
export const connectScenario: Scenario = {
  id: "connect",
  description: "clients connect and identify, a fixed number in flight: connects/s",
  metrics: [{ id: "connectsPerSecond", label: "connects/s", better: "higher", decimals: 0 }],
  freshServer: false,
  run: runConnect,
};

async function runConnect(context: RunContext): Promise<RunOutcome> {
  const { kind, roomUrl, trip, plan } = context;
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
}
