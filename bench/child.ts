/**
 * What the bench's server processes share: their command line, the line that tells the
 * harness where they listen, and a clean stop on a signal or when the harness goes away.
 *
 * @module
 */

import { isJsonObject } from "wscomsrv-protocol";

/**
 * The command line of a server process: `--port N` (0: any free port), `--limits JSON` and
 * `--script PATH` (the Worker bundle: the relay's, or the floor's).
 */
export interface ServerArgs {
  /** The port to listen on, on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Limits for the relay (the baseline and the floor have none). */
  limits: Record<string, number> | undefined;
  /** The Worker bundle to run; the embedded server's default (the relay) when unset. */
  script: string | undefined;
}

/** The prefix of the line a server prints once it accepts connections. */
export const LISTENING = "listening ";

/**
 * Reads `--port N`, `--limits JSON` and `--script PATH`.
 *
 * @throws Error for an unknown flag or a bad value: the harness passes these, so a bad one is
 *   a bug.
 */
export function serverArgs(argv: readonly string[]): ServerArgs {
  const args: ServerArgs = { port: 0, limits: undefined, script: undefined };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--port") {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new Error(`bad port ${value}`);
      args.port = port;
    } else if (flag === "--limits") {
      args.limits = numberRecord(JSON.parse(value), "--limits");
    } else if (flag === "--script") {
      args.script = value;
    } else {
      throw new Error(`unknown flag ${flag}`);
    }
  }
  return args;
}

function numberRecord(value: unknown, what: string): Record<string, number> {
  if (!isJsonObject(value)) throw new Error(`${what} must be a JSON object`);
  const record: Record<string, number> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "number") throw new Error(`${what}: ${key} must be a number`);
    record[key] = item;
  }
  return record;
}

/** Tells the harness the address (`ws://host:port`) on stdout. */
export function announce(address: string): void {
  process.stdout.write(`${LISTENING}${address}\n`);
}

/**
 * Runs `stop` and exits 0 on SIGTERM or SIGINT, or when stdin ends (the harness died without
 * a word: its end of the pipe closed). A second signal while stopping exits at once with 1.
 */
export function stopWhenAsked(stop: () => Promise<void>): void {
  let stopping = false;
  const onStop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  // Once the harness is gone, writing to its pipes fails with EPIPE; that must not keep the
  // server from closing cleanly (workerd's scratch directory is deleted by the close).
  process.stdout.on("error", () => {});
  process.stderr.on("error", () => {});
  process.on("SIGTERM", onStop);
  process.on("SIGINT", onStop);
  process.stdin.on("end", onStop);
  process.stdin.on("error", onStop);
  process.stdin.resume();
}
