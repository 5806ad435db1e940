/**
 * `wscomsrv`: the relay on this machine, from a terminal. `npm start` runs `wscomsrv serve`.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { type Command, HELP, parseArgs, type ServeCommand, UsageError } from "./args.js";
import { isSocketServerError } from "./errors.js";
import { formatClientEvent, formatConsoleEntry } from "./log-format.js";
import { SocketServer } from "./socket-server.js";

/** Exit statuses: clean stop, failed start, bad command line. */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The signals that stop the relay cleanly. */
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Runs the command line `argv` and resolves with the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`wscomsrv: ${error.message}\nRun \`wscomsrv --help\` for the flags.\n`);
    return EXIT.usage;
  }
  switch (command.command) {
    case "help":
      process.stdout.write(HELP);
      return EXIT.ok;
    case "version":
      process.stdout.write(`${version()}\n`);
      return EXIT.ok;
    case "serve":
      return serve(command);
  }
}

async function serve(command: ServeCommand): Promise<number> {
  // Listening before the start, so that a signal during the start stops it too.
  let signalled: NodeJS.Signals | undefined;
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => {
    signalled = signal;
  };
  const handler = (signal: NodeJS.Signals) => onSignal(signal);
  for (const signal of SIGNALS) process.on(signal, handler);
  try {
    const before = SIGNALS.map((signal) => new Set(process.listeners(signal)));
    let server: SocketServer;
    try {
      const { host, port, persist, password } = command;
      server = await SocketServer.start({ host, port, persist, password });
      // Miniflare's exit hook would kill workerd and exit with 128+n at once; the CLI closes
      // the server itself, and exits with 0.
      SIGNALS.forEach((signal, i) => {
        for (const listener of process.listeners(signal)) {
          if (!before[i]?.has(listener)) process.off(signal, listener);
        }
      });
    } catch (error) {
      if (!isSocketServerError(error)) throw error;
      process.stderr.write(`wscomsrv: ${error.message} (${error.code})\n`);
      if (error.code === "EADDRINUSE") {
        process.stderr.write("Pick another port with --port, or --port 0 for any free one.\n");
      }
      return EXIT.failed;
    }
    if (!command.quiet) {
      server.on("client", (event) => process.stdout.write(`${formatClientEvent(event)}\n`));
      server.on("console", (entry) => {
        const out =
          entry.level === "error" || entry.level === "warn" ? process.stderr : process.stdout;
        out.write(`${formatConsoleEntry(entry)}\n`);
      });
    }
    process.stdout.write(banner(server, command));
    const signal =
      signalled ??
      (await new Promise<NodeJS.Signals>((resolve) => {
        onSignal = resolve;
      }));
    // A second signal while closing ends the process at once.
    onSignal = () => process.exit(EXIT.failed);
    if (!command.quiet) process.stdout.write(`${signal}: stopping\n`);
    await server.close();
    if (!command.quiet) process.stdout.write("stopped\n");
    return EXIT.ok;
  } finally {
    for (const signal of SIGNALS) process.off(signal, handler);
  }
}

function banner(server: SocketServer, command: ServeCommand): string {
  const lines = [`wscomsrv listening on ${server.wsAddress}`];
  if (command.quiet) return `${lines[0]}\n`;
  if (server.host === "0.0.0.0" || server.host === "::") {
    lines.push(`  on every interface; from this machine: ws://127.0.0.1:${server.port}`);
  }
  lines.push(
    `  rooms: ${server.wsAddress}/<room> (${server.wsAddress} is the room "default")`,
    `  password: ${command.password === undefined ? "none, rooms are open" : "required"}`,
    `  state: ${server.persist === undefined ? "not kept (no --persist)" : `kept in ${server.persist}`}`,
    "  Ctrl-C stops it",
  );
  return `${lines.join("\n")}\n`;
}

function version(): string {
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    const { version } = JSON.parse(text) as { version?: unknown };
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

process.exitCode = await main(process.argv.slice(2));
