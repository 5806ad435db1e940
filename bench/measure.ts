/**
 * What the bench reads of the machine: memory and CPU of a server's processes from Linux's
 * /proc (the relay and the floor are a Node process with workerd below it, the baseline a
 * single Node process), CPU over a measured window, and medians and percentiles.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** One process of a tree. */
export interface ProcessSample {
  pid: number;
  command: string;
  /** Resident set size, bytes. */
  rssBytes: number;
  /** User plus system CPU time so far, milliseconds. */
  cpuMs: number;
}

const TICKS_PER_SECOND = clockTicks();

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

interface Stat {
  pid: number;
  ppid: number;
  command: string;
  cpuMs: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // Gone meanwhile.
  }
  // "pid (command) state ppid ... utime stime ...": the command may hold spaces and parentheses.
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  // After the command: state is field 3, ppid 4, utime 14, stime 15 (1-based, man proc).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    pid,
    ppid: Number(fields[1]),
    command: text.slice(open + 1, close),
    cpuMs: (ticks * 1000) / TICKS_PER_SECOND,
  };
}

function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/** `root` and every process below it that is alive now. */
export function processTree(root: number): number[] {
  const alive = new Set<number>();
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat === undefined) continue;
    alive.add(stat.pid);
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat.pid]);
  }
  const tree = [root];
  // The loop walks the pids it adds as well: the tree, breadth first.
  for (const pid of tree) tree.push(...(children.get(pid) ?? []));
  return tree.filter((pid) => alive.has(pid));
}

/** Memory and CPU of each process in `pids` that is still alive. */
export function sampleProcesses(pids: readonly number[]): ProcessSample[] {
  const samples: ProcessSample[] = [];
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat === undefined) continue;
    samples.push({ pid, command: stat.command, rssBytes: rssBytes(pid), cpuMs: stat.cpuMs });
  }
  return samples;
}

/** The sum of the samples' RSS, bytes. */
export function totalRss(samples: readonly ProcessSample[]): number {
  return samples.reduce((sum, sample) => sum + sample.rssBytes, 0);
}

/** The sum of the samples' CPU time, milliseconds. */
export function totalCpuMs(samples: readonly ProcessSample[]): number {
  return samples.reduce((sum, sample) => sum + sample.cpuMs, 0);
}

/**
 * CPU used in a window, milliseconds: by the server's processes (all threads), in all and per
 * command, and by the harness itself (a harness near 100 % of one core is the bottleneck, and
 * the figures say as much about the clients as about the server).
 */
export interface CpuUse {
  /** Every process of the server together. */
  server: number;
  /** The server's processes by command name, e.g. `{ node: 3, workerd: 412 }`. */
  byCommand: Record<string, number>;
  /** This process (all its threads). */
  harness: number;
}

/** Starts a window now; the function returned ends it. The server's pids are read once. */
export function startCpuWindow(server: { tree(): number[] }): () => CpuUse {
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

/** The median of `values`; `NaN` when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const high = sorted[middle] ?? Number.NaN;
  if (sorted.length % 2 === 1) return high;
  return ((sorted[middle - 1] ?? Number.NaN) + high) / 2;
}

/**
 * Percentiles of `values` by the nearest-rank method (the smallest value with at least p % of
 * the values at or below it); `NaN` for each when there are none.
 *
 * @example
 * ```ts
 * percentiles(latencies, [50, 99, 99.9]); // [p50, p99, p99.9]
 * ```
 */
export function percentiles(values: Float64Array, ps: readonly number[]): number[] {
  if (values.length === 0) return ps.map(() => Number.NaN);
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => {
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[rank - 1] ?? Number.NaN;
  });
}
