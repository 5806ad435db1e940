/**
 * Memory and CPU of a process tree, read from Linux's /proc: the relay is a Node process with
 * workerd below it, the baseline a single Node process.
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
  const stats: Stat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined) stats.push(stat);
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const stat of stats) {
      if (tree.has(stat.ppid) && !tree.has(stat.pid)) {
        tree.add(stat.pid);
        grew = true;
      }
    }
  }
  return stats.filter((stat) => tree.has(stat.pid)).map((stat) => stat.pid);
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
