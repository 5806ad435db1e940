/**
 * Starting and stopping the two servers under test, each in a process group of its own, so
 * that stopping one also ends what it started (the relay's workerd), even when it does not
 * stop by itself.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { LISTENING } from "./child-lifecycle.js";
import { processTree } from "./proc-stats.js";
import { BENCH_RELAY_LIMITS } from "./relay-limits.js";
import type { ServerBuild } from "./snapshot.js";

/** The two servers: the relay (embedded server, workerd) and the bare `ws` baseline. */
export type ServerName = "relay" | "baseline";

/** The servers in the order each repetition runs them. */
export const SERVER_NAMES: readonly ServerName[] = ["relay", "baseline"];

/** A running server process. */
export interface ServerProcess {
  readonly name: ServerName;
  /** `ws://127.0.0.1:PORT`; rooms are `${url}/<room>`. */
  readonly url: string;
  /** The process the harness started (the relay's workerd runs below it). */
  readonly pid: number;
  /** The server's processes now: the one started and every process below it. */
  tree(): number[];
  /** What it printed (the first 100,000 characters), for failure reports. */
  output(): string;
  /** Stops it: SIGTERM, then SIGKILL to the whole group when it does not stop in time. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** The stop function of every server started and not yet stopped, by process id. */
const running = new Map<number, () => Promise<void>>();

function command(name: ServerName, build: ServerBuild): string[] {
  const port = ["--port", "0"];
  if (name === "baseline") return [build.baselineEntry, ...port];
  const limits = ["--limits", JSON.stringify(BENCH_RELAY_LIMITS)];
  return [build.relayEntry, ...port, ...limits, "--script", build.workerScript];
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * Starts a server from `build` on a free port of 127.0.0.1 and resolves once it prints its
 * address.
 *
 * @throws Error (rejects) when it exits or does not announce itself within 60 s; its output
 *   is in the message, and nothing is left running.
 */
export async function startServer(name: ServerName, build: ServerBuild): Promise<ServerProcess> {
  const child = spawn(process.execPath, command(name, build), {
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${process.execPath}`);
  let output = "";
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      child.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      });
      await Promise.race([exited(child), late]);
      clearTimeout(timer);
      // Whatever is left in the group (a workerd whose parent did not end it) goes too.
      killGroup(pid, "SIGKILL");
      await exited(child);
      running.delete(pid);
    })();
    return stopping;
  };
  running.set(pid, stop);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${name}: no address within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(new Error(`${error.message}; output:\n${output}`));
    };
    const onData = (chunk: Buffer): void => {
      if (output.length > 100_000) return;
      output += chunk.toString("utf8");
      const match = new RegExp(`^${LISTENING}(ws://\\S+)$`, "m").exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) =>
      fail(new Error(`${name}: exited with ${code ?? signal} before it listened`)),
    );
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return {
    name,
    url,
    pid,
    tree: () => processTree(pid),
    output: () => output,
    stop,
  };
}

/** Stops every server still running (for the exit path, failures included). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running.values()].map((stop) => stop()));
}

/** Kills every server's process group at once, for a synchronous exit. */
export function killAllServers(): void {
  for (const pid of running.keys()) killGroup(pid, "SIGKILL");
}
