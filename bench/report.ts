/**
 * The results: medians per scenario, client kind and metric, the ratio relay/baseline, a
 * table for people and a JSON document for programs.
 *
 * @module
 */

import type { ClientKind } from "./bench-client.js";
import type { GitFacts, MachineFacts } from "./machine.js";
import type { Plan } from "./plan.js";
import type { RunnerFacts, RunRecord } from "./runner.js";
import type { MetricSpec, Scenario } from "./scenarios/scenario.js";
import { median } from "./stats.js";

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
  /** relayMedian / baselineMedian. */
  ratio: number;
  relaySamples: number[];
  baselineSamples: number[];
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
        const relayMedian = median(relaySamples);
        const baselineMedian = median(baselineSamples);
        rows.push({
          scenario: scenario.id,
          kind,
          metric: metric.id,
          label: metric.label,
          better: metric.better,
          decimals: metric.decimals,
          relayMedian,
          baselineMedian,
          ratio: relayMedian / baselineMedian,
          relaySamples,
          baselineSamples,
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

/** The table: scenario, client kind, metric, relay median, baseline median, ratio. */
export function formatTable(rows: readonly SummaryRow[]): string {
  const header = ["scenario", "client", "metric", "relay", "baseline", "relay/baseline"];
  const lines = rows.map((row) => [
    row.scenario,
    row.kind,
    `${row.label} (${row.better === "higher" ? "higher" : "lower"} is better)`,
    number(row.relayMedian, row.decimals),
    number(row.baselineMedian, row.decimals),
    Number.isFinite(row.ratio) ? `${row.ratio.toFixed(2)}x` : "n/a",
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...lines.map((line) => line[i]?.length ?? 0)),
  );
  const right = new Set([3, 4, 5]);
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
