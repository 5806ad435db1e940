/**
 * `wscomsrv`: the relay on this machine, from a terminal (`npm start` runs `wscomsrv serve`),
 * and `wscomsrv token`, which mints a token for a token room.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { fileURLToPath } from "node:url";
import { checkRelayConfig, SETTING_VARIABLES, type SettingName } from "../config/index.js";
import {
  isWsComSrvError,
  mintToken,
  PersistError,
  SocketServer,
  type WsComSrvError,
} from "../server/index.js";
import {
  type Command,
  HELP,
  parseArgs,
  type ServeCommand,
  type TokenCommand,
  UsageError,
} from "./args.js";
import { banner } from "./banner.js";
import { formatClientEvent, formatConsoleEntry } from "./log-format.js";

/**
 * Exit statuses: clean stop; the relay did not start (a taken port, a runtime that failed);
 * something to fix in the command line (a bad flag or value, a configuration the relay refuses,
 * a `--persist` directory that cannot be used).
 */
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
    process.stderr.write(`wscomsrv: ${error.message}\n`);
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
    case "token":
      return token(command);
  }
}

/** Prints the token, alone on its line: the only place it, or the secret, is ever written. */
async function token(command: TokenCommand): Promise<number> {
  const { room, name, expiry, keyId, secret } = command;
  process.stdout.write(`${await mintToken({ room, name, ...expiry }, { id: keyId, secret })}\n`);
  return EXIT.ok;
}

async function serve(command: ServeCommand): Promise<number> {
  // The flags are each valid (parseArgs checked them); here they are checked together.
  const configured = checkRelayConfig(
    command,
    (setting) => `${SETTING_VARIABLES[setting]} (${FLAG_OF[setting]})`,
  );
  if (!configured.ok) {
    process.stderr.write(`wscomsrv: the relay refuses this configuration: ${configured.problem}\n`);
    return EXIT.usage;
  }
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
      server = await SocketServer.start({
        host: command.host,
        port: command.port,
        persist: command.persist,
        password: command.password,
        roomPolicy: command.roomPolicy,
        tokenKeys: command.tokenKeys,
        allowedOrigins: command.allowedOrigins,
        limits: command.limits,
        roomLimits: command.roomLimits,
      });
      // Miniflare's exit hook would kill workerd and exit with 128+n at once; the CLI closes
      // the server itself, and exits with 0.
      SIGNALS.forEach((signal, i) => {
        for (const listener of process.listeners(signal)) {
          if (!before[i]?.has(listener)) process.off(signal, listener);
        }
      });
    } catch (error) {
      if (!isWsComSrvError(error)) throw error;
      process.stderr.write(`wscomsrv: ${startFailure(error)}\n`);
      return error.code === "ERR_CONFIG" || error.code === "ERR_PERSIST" ? EXIT.usage : EXIT.failed;
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

/** The line for a start that failed: what went wrong, its code, and what to do. */
function startFailure(error: WsComSrvError): string {
  if (error instanceof PersistError) {
    return `--persist ${error.path} ${error.problem} (${error.code}); give a directory this user can write (it is created when missing)`;
  }
  const fix = FIX_OF[error.code];
  return `${error.message} (${error.code})${fix === undefined ? "" : `; ${fix}`}`;
}

/** What to do about the failures the command line can fix. */
const FIX_OF: Readonly<Record<string, string>> = {
  EADDRINUSE: "pick another port with --port, or --port 0 for any free one",
  ERR_LISTEN: "give --host an address of this machine, like 127.0.0.1 or 0.0.0.0",
};

/** The flag that sets each of the relay's settings. */
const FLAG_OF: Readonly<Record<SettingName, string>> = {
  password: "--password",
  roomPolicy: "--policy",
  tokenKeys: "--token-keys",
  allowedOrigins: "--allowed-origins",
  limits: "--limits",
  roomLimits: "--room-limits",
};

function version(): string {
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    const { version } = JSON.parse(text) as { version?: unknown };
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Keeps V8's compiled code of the modules loaded from now on (Miniflare, loaded on the first
 * start) in `node_modules/.cache/wscomsrv`, so that later starts skip compiling them.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off; a directory that cannot be
 * written just means no cache.
 */
function keepCompiledCode(): void {
  try {
    enableCompileCache(
      fileURLToPath(new URL("../../node_modules/.cache/wscomsrv", import.meta.url)),
    );
  } catch {
    // No cache: only slower.
  }
}

keepCompiledCode();
process.exitCode = await main(process.argv.slice(2));
