/**
 * CPU time spent during a measured window: by the server's processes (all threads, from
 * /proc) and by the harness itself (a harness near 100 % of one core is the bottleneck, and
 * the figures are a floor for the faster server).
 *
 * @module
 */

import { sampleProcesses, totalCpuMs } from "./proc-stats.js";
import type { ServerProcess } from "./server-process.js";

/** CPU used in a window, milliseconds. */
export interface CpuUse {
  server: number;
  harness: number;
}

/** Starts a window now; the function returned ends it. The server's pids are read once. */
export function startCpuWindow(server: ServerProcess): () => CpuUse {
  const pids = server.tree();
  const serverStart = totalCpuMs(sampleProcesses(pids));
  const harnessStart = process.cpuUsage();
  return () => {
    const harness = process.cpuUsage(harnessStart);
    return {
      server: totalCpuMs(sampleProcesses(pids)) - serverStart,
      harness: (harness.user + harness.system) / 1000,
    };
  };
}
