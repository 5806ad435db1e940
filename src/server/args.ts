/**
 * The command line of `wscomsrv`: its flags, their defaults, and the help text.
 *
 * @module
 */

import { parseArgs as parseNodeArgs } from "node:util";
import { DEFAULT_HOST, DEFAULT_PORT } from "./options.js";

/** The environment variable read for the password when `--password` is not given. */
export const PASSWORD_ENV = "WSCOMSRV_PASSWORD";

/** `wscomsrv serve` with its flags applied over the defaults. */
export interface ServeCommand {
  command: "serve";
  host: string;
  port: number;
  persist: string | undefined;
  password: string | undefined;
  quiet: boolean;
}

/** What the command line asks for. */
export type Command = ServeCommand | { command: "help" } | { command: "version" };

/** A command line that cannot be run; the message says why. Exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The text `wscomsrv --help` prints. */
export const HELP = `wscomsrv: the WsComSrv relay on this machine (the Worker, on workerd)

Usage:
  wscomsrv [serve] [options]
  wscomsrv --help | --version

Options:
  --host HOST       address to listen on; 0.0.0.0 or :: for every interface
                    (default ${DEFAULT_HOST})
  --port, -p PORT   port to listen on, 0 to pick a free one (default ${DEFAULT_PORT})
  --persist DIR     keep the rooms' state (their epochs) in DIR across restarts
                    (default: keep nothing)
  --password PW     password every room asks for at identify (default: open rooms);
                    ${PASSWORD_ENV}=PW in the environment keeps it out of \`ps\`
  --quiet, -q       print only the address, not each connect, identify and error
  --help, -h        print this help
  --version, -v     print the version

Clients connect to ws://HOST:PORT/ROOM; ws://HOST:PORT is the room "default".
Ctrl-C or SIGTERM stops the relay (exit status 0). A taken port exits with 1,
a bad command line with 2.
`;

/**
 * Parses the arguments after `wscomsrv`.
 *
 * @throws UsageError for an unknown command or flag, or a bad value.
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const [command = "serve", ...extra] = positionals;
  if (command !== "serve") throw new UsageError(`unknown command "${command}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const password = values.password ?? env[PASSWORD_ENV];
  return {
    command: "serve",
    host: nonEmpty("--host", values.host) ?? DEFAULT_HOST,
    port: values.port === undefined ? DEFAULT_PORT : portNumber(values.port),
    persist: nonEmpty("--persist", values.persist),
    password: password === "" ? undefined : password,
    quiet: values.quiet ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseNodeArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      host: { type: "string" },
      port: { type: "string", short: "p" },
      persist: { type: "string" },
      password: { type: "string" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
}

function portNumber(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new UsageError(`--port must be a number from 0 to 65535, got "${text}"`);
  }
  return port;
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === "") throw new UsageError(`${flag} must not be empty`);
  return value;
}
