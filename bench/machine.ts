/**
 * The facts a result is only meaningful with: the machine, the runtimes, the commit.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

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
