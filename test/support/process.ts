/**
 * Child processes for end-to-end tests: free ports, and waiting for a line of output.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A child process with its output collected. */
export interface Child {
  process: ChildProcess;
  output: () => string;
  /** Resolves when the output (stdout and stderr) matches, rejects on exit or timeout. */
  waitFor: (pattern: RegExp, timeout?: number) => Promise<RegExpMatchArray>;
  /** Resolves with the exit code (signal exits give null). */
  exited: Promise<number | null>;
}

/** Starts `command` with Node 22 (the running Node) when it is a script path. */
export function start(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Child {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const waitFor = (pattern: RegExp, timeout = 30_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern);
        if (match === null) return;
        done();
        resolve(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`));
      }, timeout);
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`exited with ${code} before ${pattern}; output:\n${output}`));
      };
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off("exit", onExit);
      };
      listeners.add(check);
      child.once("exit", onExit);
      check();
    });
  return { process: child, output: () => output, waitFor, exited };
}

/** Stops a child with SIGTERM and waits for it to exit. */
export async function stop(child: Child): Promise<number | null> {
  if (child.process.exitCode === null && child.process.signalCode === null)
    child.process.kill("SIGTERM");
  return child.exited;
}
