/**
 * Runs the scenarios: for each scenario and client kind, repetition after repetition, the
 * relay, the baseline and the floor in turn, each run in a room of its own. The first failure
 * (a lost or reordered frame, a timeout, an unexpected close) ends the whole bench.
 *
 * @module
 */

import { randomUUID } from "node:crypto";
import os from "node:os";
import { Tripwire, within } from "./checks.js";
import { type ClientKind, kindRuns, type Plan } from "./plan.js";
import { DRAIN_MS, type RunOutcome, type Scenario, warmUpScenario } from "./scenarios.js";
import {
  negotiatedExtensions,
  SERVER_NAMES,
  type ServerBuild,
  type ServerName,
  type ServerProcess,
  startServer,
} from "./servers.js";

/** One measured run. */
export interface RunRecord {
  scenario: string;
  kind: ClientKind;
  server: ServerName;
  /** From 1. */
  repetition: number;
  metrics: Record<string, number>;
  /** Frames (deliveries, identifies) that arrived in order. */
  checked: number;
  detail: Record<string, unknown>;
}

/** What the runs found besides the figures. */
export interface RunnerFacts {
  /** The WebSocket extensions each server agreed to with a default `ws` client. */
  negotiated: Partial<Record<ServerName, string>>;
  /** Every server process started (each leads a process group of its own), in order. */
  processes: { name: ServerName; pid: number }[];
}

/** A run failed; the message says which run and why. */
export class RunFailure extends Error {
  override readonly name = "RunFailure";
}

/** Where progress lines go. */
export type Log = (line: string) => void;

const SETUP_MS = 60_000;

async function runOnce(
  scenario: Scenario,
  server: ServerProcess,
  kind: ClientKind,
  plan: Plan,
  label: string,
): Promise<RunOutcome> {
  const trip = new Tripwire();
  const room = `${scenario.id}-${kind}-${randomUUID().slice(0, 8)}`;
  try {
    const outcome = await within(
      scenario.run({ server, kind, roomUrl: `${server.url}/${room}`, plan, trip }),
      plan.capMs + DRAIN_MS + SETUP_MS,
      `${scenario.id} to finish`,
      trip,
    );
    trip.check(); // A failure after the last awaited event (a frame too many) still counts.
    return outcome;
  } catch (error) {
    const output = server.output().trim();
    const tail = output === "" ? "" : `\n${server.name} printed:\n${output.slice(-2_000)}`;
    throw new RunFailure(
      `${label}: ${error instanceof Error ? error.message : String(error)}${tail}`,
      {
        cause: error,
      },
    );
  }
}

function describe(scenario: Scenario, outcome: RunOutcome): string {
  const figures = scenario.metrics.map((metric) => {
    const value = outcome.metrics[metric.id] ?? Number.NaN;
    return `${value.toFixed(metric.decimals)} ${metric.label}`;
  });
  return `${figures.join(", ")} (${outcome.checked} checked in order)`;
}

/** What a bench run collects; filled in as it goes, so a failed run still has its records. */
export interface BenchLog {
  records: RunRecord[];
  facts: RunnerFacts;
}

/** An empty {@link BenchLog}. */
export function emptyBenchLog(): BenchLog {
  return { records: [], facts: { negotiated: {}, processes: [] } };
}

/**
 * Runs `scenarios` for `kinds` (each kind the scenarios it runs, see `kindRuns`) on every
 * server (started from `build`), in turn, `plan.repetitions` times, and adds every run to
 * `into` in the order run.
 *
 * @throws RunFailure (rejects) at the first failing run; every server is stopped by then.
 */
export async function runBench(
  plan: Plan,
  scenarios: readonly Scenario[],
  kinds: readonly ClientKind[],
  build: ServerBuild,
  log: Log,
  into: BenchLog,
): Promise<void> {
  const { records, facts } = into;
  const start = async (name: ServerName): Promise<ServerProcess> => {
    const server = await startServer(name, build);
    facts.processes.push({ name, pid: server.pid });
    return server;
  };
  const shared = new Map<ServerName, ServerProcess>();
  try {
    for (const name of SERVER_NAMES) {
      const server = await start(name);
      shared.set(name, server);
      facts.negotiated[name] = await negotiatedExtensions(`${server.url}/negotiation`);
      log(
        `${name}: ${server.url} (pid ${server.pid}); extensions: ${facts.negotiated[name] || "none"}`,
      );
    }
    if (plan.warmUp) {
      for (const kind of kinds) {
        for (const [name, server] of shared) {
          await runOnce(warmUpScenario, server, kind, plan, `warm-up, ${kind} clients, ${name}`);
        }
      }
      log("warm-up done (not measured)");
    }
    for (const scenario of scenarios) {
      for (const kind of kinds) {
        if (!kindRuns(kind, scenario.id)) continue;
        for (let repetition = 1; repetition <= plan.repetitions; repetition += 1) {
          for (const name of SERVER_NAMES) {
            const label = `${scenario.id}, ${kind} clients, ${name}, repetition ${repetition}/${plan.repetitions}`;
            const server = scenario.freshServer ? await start(name) : shared.get(name);
            if (server === undefined) throw new Error(`${name} is not running`);
            try {
              const outcome = await runOnce(scenario, server, kind, plan, label);
              // Other work on the machine skews a run: keep the load next to its figures.
              const loadAverage = os.loadavg()[0] ?? 0;
              records.push({
                scenario: scenario.id,
                kind,
                server: name,
                repetition,
                ...outcome,
                detail: { ...outcome.detail, loadAverage },
              });
              log(`${label}: ${describe(scenario, outcome)}`);
            } finally {
              if (scenario.freshServer) await server.stop();
            }
          }
        }
      }
    }
  } finally {
    await Promise.all([...shared.values()].map((server) => server.stop()));
  }
}
