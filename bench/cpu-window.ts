/**
 * CPU time spent during a measured window: by the server's processes (all threads, from
 * /proc), in all and per command (`node`, `workerd`), and by the harness itself (a harness
 * near 100 % of one core is the bottleneck, and the figures say as much about the clients as
 * about the server).
 *
 * @module
 */

import { sampleProcesses, totalCpuMs } from "./proc-stats.js";
import type { ServerProcess } from "./server-process.js";

/** CPU used in a window, milliseconds. */
export interface CpuUse {
  /** Every process of the server together. */
  server: number;
  /** The server's processes by command name, e.g. `{ node: 3, workerd: 412 }`. */
  byCommand: Record<string, number>;
  /** This process (all its threads). */
  harness: number;
}

/** Starts a window now; the function returned ends it. The server's pids are read once. */
export function startCpuWindow(server: ServerProcess): () => CpuUse {
  const pids = server.tree();
  const start = sampleProcesses(pids);
  const harnessStart = process.cpuUsage();
  return () => {
    const harness = process.cpuUsage(harnessStart);
    const end = sampleProcesses(pids);
    const byCommand: Record<string, number> = {};
    for (const sample of end) {
      const before = start.find((item) => item.pid === sample.pid)?.cpuMs ?? 0;
      byCommand[sample.command] = (byCommand[sample.command] ?? 0) + sample.cpuMs - before;
    }
    return {
      server: totalCpuMs(end) - totalCpuMs(start),
      byCommand,
      harness: (harness.user + harness.system) / 1000,
    };
  };
}
