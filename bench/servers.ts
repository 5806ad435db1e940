/**
 * The three servers under test, and starting and stopping them.
 *
 * - **relay**: the production Worker bundle on workerd through the embedded server
 *   (`relay-process.ts`), with its rate limits and socket counts raised.
 * - **baseline**: the seed's routing on Node's `ws` (`baseline-relay.ts`).
 * - **floor**: the seed's routing in a bare Durable Object (`floor-worker.ts`), run the way the
 *   relay runs: `relay-process.ts` with the floor's bundle, on the same workerd.
 *
 * Each runs in a process group of its own, so that stopping one also ends what it started
 * (workerd), even when it does not stop by itself. The build a run measures is frozen at its
 * start: the working tree's `dist/` is shared, and a build during a run (another
 * `npm run build`, another bench) would otherwise give the servers started later in the run
 * another relay than the first ones. So the harness copies the Worker bundles and the server
 * entries into a directory of its own (under the repository's `.tmp/`, so that the entries
 * still find `node_modules`) and starts every server from there.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import type { Limits } from "wscomsrv-protocol";
import { LISTENING } from "./child.js";
import { processTree } from "./measure.js";

/**
 * The limits the bench starts the relay with; everything not named here is the relay's
 * default. The relay's per-socket rate limit exists to stop abuse, and would cap a throughput
 * bench at the limit instead of the relay's speed; its socket counts would refuse the
 * idle-memory and connect scenarios.
 */
export const BENCH_RELAY_LIMITS = {
  framesPerSecond: 1_000_000_000,
  frameBurst: 1_000_000_000,
  maxDroppedFrames: 1_000_000_000,
  maxConnections: 100_000,
  maxUnidentified: 100_000,
} as const satisfies Partial<Limits>;

/** What the servers of one run are started from. */
export interface ServerBuild {
  /** `relay-process.js`: the relay's and the floor's process. */
  relayEntry: string;
  /** `baseline-relay.js`. */
  baselineEntry: string;
  /** The Worker bundle the relay runs (`index.js`). */
  workerScript: string;
  /** SHA-256 of the Worker bundle, hex, to tell runs of different relays apart. */
  workerSha256: string;
  /** The floor's Worker bundle (`floor-worker.js`). */
  floorScript: string;
  /** SHA-256 of the floor's bundle, hex. */
  floorSha256: string;
  /** Deletes the frozen build. */
  remove(): void;
}

/**
 * Copies `dist/worker`, and the server entries and the floor's bundle of `benchDir`
 * (`dist/bench`), into a new directory under `root/.tmp/`.
 *
 * @throws Error when a file is missing (run the build first).
 */
export function snapshotBuild(root: string, benchDir: string): ServerBuild {
  const parent = join(root, ".tmp");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, "bench-"));
  try {
    cpSync(join(root, "dist", "worker"), join(dir, "worker"), { recursive: true });
    for (const file of ["relay-process.js", "baseline-relay.js", "floor-worker.js"]) {
      cpSync(join(benchDir, file), join(dir, file));
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot copy the build (run npm run bench, which builds it): ${String(error)}`);
  }
  const workerScript = join(dir, "worker", "index.js");
  const floorScript = join(dir, "floor-worker.js");
  const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
  return {
    relayEntry: join(dir, "relay-process.js"),
    baselineEntry: join(dir, "baseline-relay.js"),
    workerScript,
    workerSha256: sha256(workerScript),
    floorScript,
    floorSha256: sha256(floorScript),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The servers in the order each repetition runs them. */
export const SERVER_NAMES = ["relay", "baseline", "floor"] as const;

/** The relay, the bare `ws` baseline, and the bare Durable Object floor. */
export type ServerName = (typeof SERVER_NAMES)[number];

/** A running server process. */
export interface ServerProcess {
  readonly name: ServerName;
  /** `ws://127.0.0.1:PORT`; rooms are `${url}/<room>`. */
  readonly url: string;
  /** The process the harness started (the relay's and the floor's workerd run below it). */
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
  if (name === "floor") return [build.relayEntry, ...port, "--script", build.floorScript];
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

const TIMEOUT_MS = 10_000;

/**
 * The `Sec-WebSocket-Extensions` a server answered a default `ws` client with ("" for none):
 * the SDK in Node and the seed client both use `ws` with its defaults, which offer
 * `permessage-deflate`, and compression costs CPU on both ends.
 */
export function negotiatedExtensions(roomUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(roomUrl);
    let extensions = "";
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no answer from ${roomUrl} within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    socket.once("upgrade", (response) => {
      extensions = response.headers["sec-websocket-extensions"] ?? "";
    });
    socket.once("open", () => socket.close(1000));
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(extensions);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
