/**
 * The bench's smoke run (`npm run bench -- --smoke`): every scenario, on the relay, the
 * baseline and the floor, with SDK clients (with `delivery`, and at most once) and
 * seed-protocol clients, runs to the end with no frame lost or reordered, and leaves no
 * process behind. No timing is asserted: the figures of a smoke run mean nothing.
 */

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCENARIOS = [
  "throughput-64B",
  "throughput-1KiB",
  "throughput-64KiB",
  "round-trip",
  "fan-out",
  "idle-memory",
  "connect",
];
const KINDS = ["sdk", "sdk-no-delivery", "seed"];
/** The scenarios that carry frames: each of their runs records what the relay granted. */
const CARRY_FRAMES = SCENARIOS.filter((id) => !["idle-memory", "connect"].includes(id));
/** The scenarios each kind runs: `sdk-no-delivery` only those that carry frames. */
const RUNS: Record<string, readonly string[]> = {
  sdk: SCENARIOS,
  "sdk-no-delivery": CARRY_FRAMES,
  seed: SCENARIOS,
};
/** The capabilities the relay grants `sdk-no-delivery` clients: the SDK's defaults before `delivery`. */
const AT_MOST_ONCE = ["acks", "batch", "errors", "heartbeat", "resume", "undelivered"];
const SERVERS = ["relay", "baseline", "floor"];
const RUN_TIMEOUT_MS = 120_000;

/** One run in the JSON result, as far as the test reads it. */
interface Run {
  scenario: string;
  kind: string;
  server: string;
  checked: number;
  detail: { granted?: string[] };
}

/** Pids of live processes in process group `group`. */
function inGroup(group: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "(command) ": state, ppid, pgrp.
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp === group) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

function runSmoke(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["dist/bench/harness.js", "--smoke", "--out", out], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      child.kill("SIGTERM"); // The harness stops its servers on SIGTERM.
      reject(new Error(`the smoke run took over ${RUN_TIMEOUT_MS} ms; output:\n${output}`));
    }, RUN_TIMEOUT_MS);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("npm run bench -- --smoke", () => {
  const dir = mkdtempSync(join(tmpdir(), "wscomsrv-bench-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "runs every scenario on every server with every client kind, loses nothing, leaves nothing",
    async () => {
      execFileSync(process.execPath, ["scripts/build-bench.js"], { cwd: ROOT, stdio: "pipe" });
      const out = join(dir, "result.json");
      const { code, output } = await runSmoke(out);
      expect(code, output).toBe(0);
      expect(output).toMatch(/^OK: \d+ runs, \d+ frames, .* none lost or reordered$/m);

      const result = JSON.parse(readFileSync(out, "utf8"));
      expect(result).toMatchObject({ schema: 1, mode: "smoke", ok: true });
      for (const scenario of SCENARIOS) {
        expect(output).toContain(scenario);
        for (const kind of KINDS) {
          const runs = (server: string): Run[] =>
            result.runs.filter(
              (run: Run) => run.scenario === scenario && run.kind === kind && run.server === server,
            );
          const rows = result.summary.filter(
            (row: { scenario: string; kind: string }) =>
              row.scenario === scenario && row.kind === kind,
          );
          if (!RUNS[kind]?.includes(scenario)) {
            for (const server of SERVERS) expect(runs(server), `${scenario} ${kind}`).toEqual([]);
            expect(rows, `${scenario} ${kind}`).toEqual([]);
            continue;
          }
          for (const server of SERVERS) {
            expect(runs(server), `${scenario} ${kind} ${server}`).toHaveLength(1);
            expect(runs(server)[0]?.checked, `${scenario} ${kind} ${server}`).toBeGreaterThan(0);
          }
          if (CARRY_FRAMES.includes(scenario)) {
            // What each kind measured: the relay granted delivery, the older defaults, or none.
            const granted = runs("relay")[0]?.detail.granted;
            if (kind === "sdk") expect(granted, scenario).toContain("delivery");
            if (kind === "sdk-no-delivery")
              expect(granted?.toSorted(), scenario).toEqual(AT_MOST_ONCE);
            if (kind === "seed") expect(granted, scenario).toEqual([]);
            expect(runs("baseline")[0]?.detail.granted, scenario).toEqual([]);
          }
          expect(rows.length, `${scenario} ${kind}`).toBeGreaterThan(0);
          for (const row of rows) {
            expect(row.floorSamples, `${scenario} ${kind} ${row.metric}`).toHaveLength(1);
          }
        }
      }
      expect(result.machine.nproc).toBeGreaterThan(0);
      expect(result.relay.limits.framesPerSecond).toBeGreaterThan(5_000);

      expect(result.floor.bundleSha256).toMatch(/^[0-9a-f]{64}$/);
      // The floor, like the relay, leaves compression off for a default ws client.
      expect(result.negotiated).toEqual({ relay: "", baseline: "", floor: "" });

      // Each server led a process group of its own; nothing of any group is left.
      expect(result.processes.length).toBeGreaterThanOrEqual(SERVERS.length);
      for (const { pid } of result.processes) expect(inGroup(pid), `group ${pid}`).toEqual([]);
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});
