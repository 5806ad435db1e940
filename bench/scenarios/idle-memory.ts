/**
 * Scenario 4: memory of the server's processes per 1,000 idle identified clients. Each run
 * has server processes of its own; a first client creates the room, then the resident memory
 * (RSS) of every process of the server is summed before and after the clients connect and
 * identify. For the relay that is its Node process and workerd below it; for the baseline its
 * Node process.
 *
 * @module
 */

import { closeClients, connectClients } from "../bench-client.js";
import { sampleProcesses, totalRss } from "../proc-stats.js";
import type { RunContext, RunOutcome, Scenario } from "./scenario.js";

/** The idle-memory scenario. */
export const idleMemoryScenario: Scenario = {
  id: "idle-memory",
  description:
    "RSS of the server's processes, after minus before connecting idle identified clients, per 1,000 clients",
  metrics: [
    { id: "mbPer1000Clients", label: "MB per 1,000 idle clients", better: "lower", decimals: 1 },
  ],
  freshServer: true,
  run: runIdleMemory,
};

async function runIdleMemory(context: RunContext): Promise<RunOutcome> {
  const { kind, roomUrl, trip, plan, server } = context;
  const { clients: count, concurrency } = plan.idleMemory;
  const first = await connectClients(kind, roomUrl, ["first"], { concurrency: 1, trip });
  const pids = server.tree();
  const before = sampleProcesses(pids);
  const names = Array.from({ length: count }, (_, i) => `idle-${i}`);
  let clients: Awaited<ReturnType<typeof connectClients>> = [];
  try {
    clients = await connectClients(kind, roomUrl, names, { concurrency, trip });
    const after = sampleProcesses(pids);
    const grown = totalRss(after) - totalRss(before);
    return {
      metrics: { mbPer1000Clients: ((grown / count) * 1000) / 1e6 },
      checked: count,
      detail: {
        clients: count,
        beforeBytes: totalRss(before),
        afterBytes: totalRss(after),
        processes: after.map(({ pid, command, rssBytes }) => ({ pid, command, rssBytes })),
        processesBefore: before.map(({ pid, command, rssBytes }) => ({ pid, command, rssBytes })),
      },
    };
  } finally {
    await closeClients([...first, ...clients]);
  }
}
