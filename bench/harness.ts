/**
 * `npm run bench`: the relay against a bare `ws` relay and against a bare Durable Object
 * relay on its own runtime, driven from this process.
 *
 * Starts the relay (the production Worker bundle on workerd, through the embedded server,
 * with its rate limits raised), the baseline and the floor, each in a process of its own;
 * runs every scenario with SDK clients (with and without `delivery`) and with seed-protocol
 * clients, the servers in turn;
 * prints a table of medians and ratios; writes the JSON result with the raw samples to
 * `bench/results/`. Exits 1 at the first lost or reordered frame, or any other failure, and
 * never leaves a server process behind.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HELP, kindRuns, makePlan, matchesScenario, parseBenchArgs, UsageError } from "./plan.js";
import {
  type BenchResult,
  formatTable,
  gitFacts,
  harnessWarnings,
  machineFacts,
  summarize,
} from "./report.js";
import { emptyBenchLog, runBench } from "./runner.js";
import { scenarios as allScenarios } from "./scenarios.js";
import { BENCH_RELAY_LIMITS, killAllServers, snapshotBuild, stopAllServers } from "./servers.js";

/** The repository: this file runs from dist/bench. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The whole run may take at most this long; then it fails and stops everything. */
const DEADLINE_MS = { full: 60 * 60_000, smoke: 5 * 60_000 } as const;

const LIMITS_NOTE =
  "the relay runs with its per-socket rate limit raised (framesPerSecond, frameBurst, maxDroppedFrames) " +
  "and its socket counts raised (maxConnections, maxUnidentified); every other limit is at its default";

const FLOOR_NOTE =
  "a bare Durable Object relay (bench/floor-worker.ts): the seed's routing and nothing else, " +
  "hibernation API, on the relay's workerd through the same embedded server";

function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}

/** Deletes the frozen build of the run (set once it exists). */
let removeSnapshot = (): void => {};

/** Ends every server at once and deletes the frozen build: for exits that cannot wait. */
function killEverything(): void {
  killAllServers();
  removeSnapshot();
}

/** Stops the servers (each gets SIGTERM, then SIGKILL) and exits; a second signal exits at once. */
function exitOnSignal(signal: NodeJS.Signals, code: number): void {
  process.once(signal, () => {
    process.stderr.write(`${signal}: stopping the servers\n`);
    process.once(signal, () => {
      killEverything();
      process.exit(code);
    });
    void stopAllServers().finally(() => {
      removeSnapshot();
      process.exit(code);
    });
  });
}

async function main(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseBenchArgs>;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const plan = makePlan(options.smoke ? "smoke" : "full", options.repetitions);
  const selected = allScenarios(plan).filter(
    (scenario) => options.only.length === 0 || matchesScenario(scenario.id, options.only),
  );
  if (selected.length === 0) {
    process.stderr.write(`bench: --only ${options.only.join(",")} names no scenario\n\n${HELP}`);
    return 2;
  }
  if (!selected.some((scenario) => options.kinds.some((kind) => kindRuns(kind, scenario.id)))) {
    process.stderr.write(
      `bench: --clients ${options.kinds.join(",")} runs none of ${selected.map((scenario) => scenario.id).join(", ")}\n\n${HELP}`,
    );
    return 2;
  }

  const started = new Date();
  const build = snapshotBuild(ROOT, dirname(fileURLToPath(import.meta.url)));
  removeSnapshot = build.remove;
  const machine = machineFacts(ROOT);
  const git = gitFacts(ROOT);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  process.stdout.write(
    [
      `WsComSrv Edge bench (${plan.mode}), ${started.toISOString()}`,
      `machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${Math.round(machine.memoryBytes / 2 ** 30)} GiB, ${machine.os}`,
      `runtimes: Node ${machine.node}, ${machine.workerd}, miniflare ${machine.miniflare}, ws ${machine.ws}`,
      `commit: ${git.commit}${git.dirty ? " (with uncommitted changes)" : ""}`,
      `load average: ${machine.loadAverage.toFixed(2)}${machine.loadAverage > machine.nproc / 2 ? " (the machine is busy: figures will be noisy)" : ""}`,
      `relay bundle: dist/worker/index.js as built for this run, sha256 ${build.workerSha256.slice(0, 16)}`,
      `relay limits: ${LIMITS_NOTE}: ${JSON.stringify(BENCH_RELAY_LIMITS)}`,
      `floor: ${FLOOR_NOTE}; bundle sha256 ${build.floorSha256.slice(0, 16)}`,
      `scenarios: ${selected.map((scenario) => scenario.id).join(", ")}; clients: ${options.kinds.join(", ")}; ${plan.repetitions} repetition(s), relay, baseline and floor in turn`,
      "",
    ].join("\n"),
  );

  const { records, facts } = emptyBenchLog();
  let failure: Error | undefined;
  const deadline = setTimeout(() => {
    process.stderr.write(`bench: still running after ${DEADLINE_MS[plan.mode]} ms; giving up\n`);
    killEverything();
    process.exit(1);
  }, DEADLINE_MS[plan.mode]);
  try {
    await runBench(plan, selected, options.kinds, build, log, { records, facts });
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(deadline);
    await stopAllServers();
    build.remove();
  }

  const summary = summarize(selected, options.kinds, records);
  const result: BenchResult = {
    schema: 1,
    date: started.toISOString(),
    mode: plan.mode,
    ok: failure === undefined,
    ...(failure === undefined ? {} : { error: failure.message }),
    command: process.argv.slice(2),
    machine,
    git,
    relay: {
      limits: { ...BENCH_RELAY_LIMITS },
      note: LIMITS_NOTE,
      bundleSha256: build.workerSha256,
    },
    floor: { note: FLOOR_NOTE, bundleSha256: build.floorSha256 },
    negotiated: facts.negotiated,
    processes: facts.processes,
    plan,
    checkedInOrder: records.reduce((sum, run) => sum + run.checked, 0),
    summary,
    runs: records,
  };
  const out = resolve(
    options.out ??
      join(ROOT, "bench", "results", `${stamp(started)}${options.smoke ? "-smoke" : ""}.json`),
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

  process.stdout.write(`\n${formatTable(summary)}`);
  process.stdout.write(
    "\nrelay: the Worker bundle on workerd through the embedded server; baseline: bare ws relay in Node;\n" +
      "floor: bare Durable Object relay on the same workerd, through the same embedded server.\n" +
      "Each figure is the median of the runs; relay/baseline and relay/floor are ratios of the medians.\n",
  );
  for (const [server, extensions] of Object.entries(facts.negotiated)) {
    process.stdout.write(
      `${server} negotiated with a default ws client: ${extensions || "no extensions"}\n`,
    );
  }
  for (const warning of harnessWarnings(records)) process.stdout.write(`note: ${warning}\n`);
  process.stdout.write(`result: ${out}\n`);
  if (failure !== undefined) {
    process.stderr.write(`\nFAILED: ${failure.message}\n`);
    return 1;
  }
  process.stdout.write(
    `OK: ${records.length} runs, ${result.checkedInOrder} frames, deliveries and identifies checked, none lost or reordered\n`,
  );
  return 0;
}

exitOnSignal("SIGINT", 130);
exitOnSignal("SIGTERM", 143);
process.on("uncaughtException", (error) => {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  killEverything();
  process.exit(1);
});
const code = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
});
await stopAllServers();
// SDK clients keep timers only while connected; exit without waiting on anything left.
process.exit(code);
