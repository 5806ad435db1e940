/**
 * The built CLI (`dist/cli/main.js`) in a child process, and `ws` connections to the relay
 * it serves: opened, or refused with an HTTP status.
 */

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import WebSocket, { type ClientOptions } from "ws";
import { Inbox } from "../support/inbox.js";
import { type Child, start, stop } from "../support/process.js";

/** The `wscomsrv` bin, as `npm run build` writes it. */
export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** A finished run of the CLI: its exit status and what it printed where. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end (`token`, `--help`, a refused command line) within `timeout` ms. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeout = 20_000,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env }, timeout },
      (error, stdout, stderr) => {
        if (error === null) resolve({ status: 0, stdout, stderr });
        else if (typeof error.code === "number") resolve({ status: error.code, stdout, stderr });
        else reject(error);
      },
    );
  });
}

/** A relay started with `wscomsrv serve`, once it listens. */
export interface ServingCli {
  child: Child;
  /** `ws://127.0.0.1:PORT`, from the first line it printed. */
  address: string;
}

/** Starts `wscomsrv serve --port 0 ...args` and waits for its address. */
export async function serveCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServingCli> {
  const child = start([CLI, "serve", "--port", "0", ...args], { env });
  try {
    const [, address = ""] = await child.waitFor(/listening on (ws:\/\/\S+)\n/);
    return { child, address };
  } catch (error) {
    child.process.kill("SIGKILL");
    throw error;
  }
}

/**
 * A `serve` for the tests of one file: every CLI it starts is stopped after each test.
 * Call it at the top level of the test file.
 */
export function servingClis(): (args: string[], env?: NodeJS.ProcessEnv) => Promise<ServingCli> {
  const running: Child[] = [];
  afterEach(async () => {
    for (const child of running.splice(0).reverse()) await stop(child);
  });
  return async (args, env = {}) => {
    const serving = await serveCli(args, env);
    running.push(serving.child);
    return serving;
  };
}

/** Opens a socket and resolves once it is open; rejects when the relay refuses it. */
export async function openSocket(
  address: string,
  protocols: string[] = [],
  options: ClientOptions = {},
): Promise<Inbox> {
  const socket = new WebSocket(address, protocols, options);
  const inbox = new Inbox(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return inbox;
}

/** The HTTP status and body with which the relay refused a WebSocket upgrade. */
export function refusal(
  address: string,
  protocols: string[] = [],
  options: ClientOptions = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(address, protocols, options);
    // Handling the response leaves ending the request to us (see ws's docs).
    socket.once("unexpected-response", (request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.once("end", () => {
        resolve({ status: response.statusCode ?? 0, body });
        request.destroy();
      });
    });
    socket.once("open", () => {
      socket.close();
      reject(new Error("the upgrade was accepted"));
    });
    socket.once("error", reject);
  });
}
