/**
 * The result: the facts it is only meaningful with (the machine, the runtimes, the commit),
 * medians per scenario, client kind and metric, the ratios relay/baseline and relay/floor, a
 * table for people and a JSON document for programs.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { median } from "./measure.js";
import type { ClientKind, Plan } from "./plan.js";
import type { RunnerFacts, RunRecord } from "./runner.js";
import type { MetricSpec, Scenario } from "./scenarios.js";

/** The machine and the software under test. */
export interface MachineFacts {
  nproc: number;
  cpuModel: string;
  memoryBytes: number;
  os: string;
  node: string;
  /** `workerd --version`, and the npm package's version. */
  workerd: string;
  miniflare: string;
  ws: string;
  /** 1-minute load average when the run started: another busy process skews everything. */
  loadAverage: number;
}

/** The commit measured, and whether the working tree had changes on top of it. */
export interface GitFacts {
  commit: string;
  dirty: boolean;
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: "pipe" }).trim();
  } catch {
    return "unknown";
  }
}

function packageVersion(root: string, name: string): string {
  try {
    const text = readFileSync(join(root, "node_modules", name, "package.json"), "utf8");
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && "version" in parsed) {
      return String(parsed.version);
    }
  } catch {
    // Fall through.
  }
  return "unknown";
}

/** Facts about this machine; `root` is the repository (for node_modules). */
export function machineFacts(root: string): MachineFacts {
  const workerdBin = join(root, "node_modules", ".bin", "workerd");
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    workerd: `${run(workerdBin, ["--version"], root)} (npm workerd ${packageVersion(root, "workerd")})`,
    miniflare: packageVersion(root, "miniflare"),
    ws: packageVersion(root, "ws"),
    loadAverage: os.loadavg()[0] ?? 0,
  };
}

/** The commit of `root` and whether tracked files differ from it. */
export function gitFacts(root: string): GitFacts {
  const status = run("git", ["status", "--porcelain", "--untracked-files=no"], root);
  return {
    commit: run("git", ["rev-parse", "HEAD"], root),
    dirty: status !== "" && status !== "unknown",
  };
}

/** One line of the table. */
export interface SummaryRow {
  scenario: string;
  kind: ClientKind;
  metric: string;
  label: string;
  better: MetricSpec["better"];
  decimals: number;
  relayMedian: number;
  baselineMedian: number;
  floorMedian: number;
  /** relayMedian / baselineMedian: how far the relay is from a bare Node relay. */
  ratio: number;
  /** relayMedian / floorMedian: how far the relay is from its runtime's own floor. */
  ratioToFloor: number;
  relaySamples: number[];
  baselineSamples: number[];
  floorSamples: number[];
}

/** The JSON result file. */
export interface BenchResult {
  schema: 1;
  /** ISO 8601, when the run started. */
  date: string;
  mode: Plan["mode"];
  ok: boolean;
  /** The failure, when `ok` is false. */
  error?: string;
  command: string[];
  machine: MachineFacts;
  git: GitFacts;
  /** The relay's raised limits, and the SHA-256 of the Worker bundle it ran. */
  relay: { limits: Record<string, number>; note: string; bundleSha256: string };
  /** What the floor is, and the SHA-256 of its Worker bundle. */
  floor: { note: string; bundleSha256: string };
  negotiated: RunnerFacts["negotiated"];
  /** The server processes started, each the leader of its process group. */
  processes: RunnerFacts["processes"];
  plan: Plan;
  /** Frames, deliveries and identifies checked to have arrived in order, over all runs. */
  checkedInOrder: number;
  summary: SummaryRow[];
  /** Every run with its figures and details: the raw samples. */
  runs: RunRecord[];
}

/** Medians and ratios of every scenario, client kind and metric that has runs. */
export function summarize(
  scenarios: readonly Scenario[],
  kinds: readonly ClientKind[],
  records: readonly RunRecord[],
): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const scenario of scenarios) {
    for (const kind of kinds) {
      const runs = records.filter((run) => run.scenario === scenario.id && run.kind === kind);
      if (runs.length === 0) continue;
      for (const metric of scenario.metrics) {
        const samples = (server: string): number[] =>
          runs
            .filter((run) => run.server === server)
            .map((run) => run.metrics[metric.id] ?? Number.NaN);
        const relaySamples = samples("relay");
        const baselineSamples = samples("baseline");
        const floorSamples = samples("floor");
        const relayMedian = median(relaySamples);
        const baselineMedian = median(baselineSamples);
        const floorMedian = median(floorSamples);
        rows.push({
          scenario: scenario.id,
          kind,
          metric: metric.id,
          label: metric.label,
          better: metric.better,
          decimals: metric.decimals,
          relayMedian,
          baselineMedian,
          floorMedian,
          ratio: relayMedian / baselineMedian,
          ratioToFloor: relayMedian / floorMedian,
          relaySamples,
          baselineSamples,
          floorSamples,
        });
      }
    }
  }
  return rows;
}

function number(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : "n/a";
}

/** The table: scenario, client kind, metric, the three medians, and the relay's two ratios. */
export function formatTable(rows: readonly SummaryRow[]): string {
  const header = [
    "scenario",
    "client",
    "metric",
    "relay",
    "baseline",
    "floor",
    "relay/baseline",
    "relay/floor",
  ];
  const lines = rows.map((row) => [
    row.scenario,
    row.kind,
    `${row.label} (${row.better === "higher" ? "higher" : "lower"} is better)`,
    number(row.relayMedian, row.decimals),
    number(row.baselineMedian, row.decimals),
    number(row.floorMedian, row.decimals),
    ratio(row.ratio),
    ratio(row.ratioToFloor),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...lines.map((line) => line[i]?.length ?? 0)),
  );
  const right = new Set([3, 4, 5, 6, 7]);
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, i) =>
        right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [format(header), format(widths.map((width) => "-".repeat(width))), ...lines.map(format)]
    .join("\n")
    .concat("\n");
}

/**
 * Warnings about runs where the clients were the bottleneck: the harness used nearly a whole
 * core (its threads together: JSON, and deflate where the server negotiated it) while
 * measuring, so the figure says as much about the clients' work as about the server's.
 */
export function harnessWarnings(records: readonly RunRecord[]): string[] {
  const warnings: string[] = [];
  const groups = new Map<string, number[]>();
  for (const run of records) {
    const share = run.detail.harnessCpuShare;
    if (typeof share !== "number") continue;
    const key = `${run.scenario}, ${run.kind} clients, ${run.server}`;
    groups.set(key, [...(groups.get(key) ?? []), share]);
  }
  for (const [key, shares] of groups) {
    const share = median(shares);
    if (share >= 0.9) {
      warnings.push(
        `${key}: the clients (harness) used ${Math.round(share * 100)}% of a core (median), so their own work bounds this figure`,
      );
    }
  }
  return warnings;
}
