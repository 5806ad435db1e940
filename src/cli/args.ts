/**
 * The command line of `wscomsrv`: its commands, their flags and defaults, and where secrets
 * may come from instead of the command line.
 *
 * @module
 */

import { parseArgs as parseNodeArgs } from "node:util";
import { DEFAULT_LIMITS } from "wscomsrv-protocol";
import type { PolicySetting, RoomLimitsSetting } from "../config/index.js";
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  MAX_TOKEN_LIFETIME_SECONDS,
  type RoomLimits,
} from "../server/index.js";
import { closest } from "./closest.js";
import * as decode from "./flag-values.js";
import { UsageError } from "./flag-values.js";

export { UsageError } from "./flag-values.js";

/** The environment variable read for the password when `--password` is not given. */
export const PASSWORD_ENV = "WSCOMSRV_PASSWORD";

/** The environment variable read for the token keys when `--token-keys` is not given. */
export const TOKEN_KEYS_ENV = "WSCOMSRV_TOKEN_KEYS";

/** The environment variable read for `wscomsrv token`'s secret when `--secret` is not given. */
export const TOKEN_SECRET_ENV = "WSCOMSRV_TOKEN_SECRET";

/** How long a token from `wscomsrv token` is valid without `--ttl` or `--exp`: 3600 s. */
export const DEFAULT_TTL_SECONDS = 3_600;

/** The text `wscomsrv --help` prints. */
export const HELP = `wscomsrv: the WsComSrv relay on this machine (the Worker, on workerd)

Usage:
  wscomsrv [serve] [options]   run the relay
  wscomsrv token [options]     print a token that lets a client take one name in one room
  wscomsrv --help | --version

Options of serve:
  --host HOST             address to listen on; 0.0.0.0 or :: for every interface
                          (default ${DEFAULT_HOST})
  --port, -p PORT         port to listen on, 0 to pick a free one (default ${DEFAULT_PORT})
  --persist DIR           keep the rooms' state (epochs, resume secrets) in DIR across
                          restarts (default: keep nothing)
  --password PW           the room password, asked for at identify (default: none);
                          ${PASSWORD_ENV}=PW in the environment keeps it out of \`ps\`
  --policy POLICY         how rooms let clients in: open, password or token, or JSON by
                          room name, prefix* and *: '{"lab-*":"token","*":"open"}'
                          (default: password with a password, else open)
  --token-keys JSON       token signing secrets by key id, '{"k1":"<32+ bytes>"}', for
                          token rooms (default: none); ${TOKEN_KEYS_ENV}=JSON
                          in the environment keeps them out of \`ps\`
  --allowed-origins LIST  origins browsers may connect from, separated by commas, like
                          https://app.example; others get 403 (default: any origin)
  --limits JSON           limits of every room, like '{"maxNameLength":16}' (default:
                          the relay's); positive integers named
${wrap(Object.keys(DEFAULT_LIMITS).join(", "), 26, 90)}
  --room-limits JSON      limits by room name, prefix* and *, over --limits:
                          '{"lab-*":{"mailWindowMs":600000}}'; a room takes the entry
                          of its name, else of its longest prefix, else * (default: none)
  --quiet, -q             print only the address, not each connect, identify and error

Options of token (prints the token alone on stdout):
  --room ROOM             the room it is for (required)
  --name NAME             the only name it lets the client identify as (required)
  --key-id ID             the signing key's id, as in --token-keys (required)
  --secret SECRET         the key's secret; ${TOKEN_SECRET_ENV}=SECRET in the
                          environment keeps it out of \`ps\`; without either, the key's
                          entry in ${TOKEN_KEYS_ENV}
  --ttl SECONDS           valid for SECONDS from now (default ${DEFAULT_TTL_SECONDS}), at most
                          ${MAX_TOKEN_LIFETIME_SECONDS} (366 days)
  --exp UNIX              valid until UNIX, in seconds since 1970, instead of --ttl;
                          at most 366 days ahead

  --help, -h              print this help
  --version, -v           print the version

Clients connect to ws://HOST:PORT/ROOM; ws://HOST:PORT is the room "default". A token
travels as the subprotocol wscomsrv.token.TOKEN, offered next to wscomsrv.
Ctrl-C or SIGTERM stops the relay, closing every client with 1001 (exit status 0). A taken
port exits with 1; a bad command line, a configuration the relay refuses or a --persist
directory that cannot be used with 2.
`;

/** `text` cut at spaces into lines of at most `width` characters, each indented `indent`. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines.map((each) => `${" ".repeat(indent)}${each}`).join("\n");
}

/** `wscomsrv serve` with its flags applied over the defaults. */
export interface ServeCommand {
  command: "serve";
  host: string;
  port: number;
  persist: string | undefined;
  password: string | undefined;
  roomPolicy: PolicySetting | undefined;
  tokenKeys: Record<string, string> | undefined;
  allowedOrigins: string[] | undefined;
  /** The limits that differ from the relay's defaults; `undefined` when none do. */
  limits: RoomLimits | undefined;
  /** The limits by room pattern, over `limits`; `undefined` when not given. */
  roomLimits: RoomLimitsSetting | undefined;
  quiet: boolean;
}

/** `wscomsrv token`: what to sign, and with which key. */
export interface TokenCommand {
  command: "token";
  room: string;
  name: string;
  /** Seconds from now, or a time in seconds since 1970. */
  expiry: { ttlSeconds: number } | { exp: number };
  keyId: string;
  secret: string;
}

/** What the command line asks for. */
export type Command = ServeCommand | TokenCommand | { command: "help" } | { command: "version" };

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string", short: "p" },
  persist: { type: "string" },
  password: { type: "string" },
  policy: { type: "string" },
  "token-keys": { type: "string" },
  "allowed-origins": { type: "string" },
  limits: { type: "string" },
  "room-limits": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  room: { type: "string" },
  name: { type: "string" },
  "key-id": { type: "string" },
  secret: { type: "string" },
  ttl: { type: "string" },
  exp: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

type Flag = keyof typeof OPTIONS;

/** The flags each command takes (`--help` and `--version` go with any). */
const FLAGS_OF: Record<"serve" | "token", ReadonlySet<string>> = {
  serve: new Set<Flag>([
    "host",
    "port",
    "persist",
    "password",
    "policy",
    "token-keys",
    "allowed-origins",
    "limits",
    "room-limits",
    "quiet",
  ]),
  token: new Set<Flag>(["room", "name", "key-id", "secret", "ttl", "exp"]),
};

/**
 * What each flag takes, for the messages about a missing or empty value: the word in the help,
 * and an example.
 */
const VALUE_OF: Readonly<Record<Flag, string>> = {
  host: "an address, like 127.0.0.1 or 0.0.0.0",
  port: "a port from 0 to 65535, like 9000",
  persist: "a directory, like .relay-state",
  password: "the room password",
  policy: "open, password, token, or a JSON object of them by room",
  "token-keys": `a JSON object of secrets by key id, like '{"k1":"<32+ bytes>"}'`,
  "allowed-origins": "origins separated by commas, like https://app.example",
  limits: `a JSON object of limits, like '{"maxNameLength":16}'`,
  "room-limits": `a JSON object of limits by room, like '{"lab-*":{"mailWindowMs":600000}}'`,
  quiet: "nothing",
  room: "a room name",
  name: "a client name",
  "key-id": "a key id, like k1",
  secret: "the signing key's secret",
  ttl: `whole seconds from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}, like 3600`,
  exp: "a time in whole seconds since 1970",
  help: "nothing",
  version: "nothing",
};

/**
 * Parses the arguments after `wscomsrv`.
 *
 * @param env - Where `WSCOMSRV_PASSWORD`, `WSCOMSRV_TOKEN_KEYS` and `WSCOMSRV_TOKEN_SECRET`
 *   are read from; an empty variable counts as unset.
 * @param now - The time in milliseconds since 1970, for `--exp`. Default: now.
 * @throws UsageError for an unknown command or flag (naming the closest known one), a flag
 *   of another command, a flag without its value, or a bad value.
 */
export function parseArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
  now: number = Date.now(),
): Command {
  const { values, positionals } = parse(argv);
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const [command = "serve", ...extra] = positionals;
  if (command !== "serve" && command !== "token") {
    const near = closest(command, COMMANDS);
    throw new UsageError(
      `unknown command ${JSON.stringify(command)}; ${near === undefined ? "the commands are serve and token" : `did you mean ${near}?`}`,
    );
  }
  // Not quoted: after `token` it may be a secret given without its flag.
  if (extra.length > 0) {
    throw new UsageError(
      `unexpected argument after \`${command}\`: each value follows its flag, like --port 9000 (\`wscomsrv --help\` lists them)`,
    );
  }
  for (const flag of Object.keys(values)) {
    if (!FLAGS_OF[command].has(flag)) {
      const owner = command === "serve" ? "token" : "serve";
      throw new UsageError(`--${flag} is a flag of \`wscomsrv ${owner}\`, not of \`${command}\``);
    }
  }
  return command === "serve" ? serveCommand(values, env) : tokenCommand(values, env, now);
}

const COMMANDS = ["serve", "token"] as const;

function serveCommand(values: Values, env: NodeJS.ProcessEnv): ServeCommand {
  const password = values.password ?? env[PASSWORD_ENV];
  const keys = fromFlagOrEnv(values["token-keys"], "--token-keys", env, TOKEN_KEYS_ENV);
  const limits = values.limits === undefined ? {} : decode.limits("--limits", values.limits);
  return {
    command: "serve",
    host: decode.nonEmpty("--host", values.host, VALUE_OF.host) ?? DEFAULT_HOST,
    port: values.port === undefined ? DEFAULT_PORT : decode.portNumber("--port", values.port),
    persist: decode.nonEmpty("--persist", values.persist, VALUE_OF.persist),
    password: password === "" ? undefined : password,
    roomPolicy:
      values.policy === undefined ? undefined : decode.roomPolicy("--policy", values.policy),
    tokenKeys: keys === undefined ? undefined : decode.tokenKeys(keys.source, keys.text),
    allowedOrigins:
      values["allowed-origins"] === undefined
        ? undefined
        : decode.origins("--allowed-origins", values["allowed-origins"]),
    limits: Object.keys(limits).length === 0 ? undefined : limits,
    roomLimits:
      values["room-limits"] === undefined
        ? undefined
        : decode.roomLimits("--room-limits", values["room-limits"], {
            ...DEFAULT_LIMITS,
            ...limits,
          }),
    quiet: values.quiet ?? false,
  };
}

function tokenCommand(values: Values, env: NodeJS.ProcessEnv, now: number): TokenCommand {
  const room = required(values.room, "--room ROOM");
  const name = required(values.name, "--name NAME");
  const keyId = decode.keyId("--key-id", required(values["key-id"], "--key-id ID"));
  if (values.ttl !== undefined && values.exp !== undefined) {
    throw new UsageError("give --ttl or --exp, not both");
  }
  return {
    command: "token",
    room: decode.roomName("--room", room),
    name: decode.clientName("--name", name),
    expiry:
      values.exp === undefined
        ? {
            ttlSeconds:
              values.ttl === undefined
                ? DEFAULT_TTL_SECONDS
                : decode.seconds("--ttl", values.ttl, MAX_TOKEN_LIFETIME_SECONDS),
          }
        : { exp: decode.futureTime("--exp", values.exp, now, MAX_TOKEN_LIFETIME_SECONDS) },
    keyId,
    secret: tokenSecret(values.secret, keyId, env),
  };
}

/**
 * The signing secret: `--secret`, else `WSCOMSRV_TOKEN_SECRET`, else the key's entry in
 * `WSCOMSRV_TOKEN_KEYS` (the variable `wscomsrv serve` reads its keys from).
 */
function tokenSecret(flag: string | undefined, keyId: string, env: NodeJS.ProcessEnv): string {
  const secret = fromFlagOrEnv(flag, "--secret", env, TOKEN_SECRET_ENV);
  if (secret !== undefined) return decode.tokenSecret(secret.source, secret.text);
  const keys = env[TOKEN_KEYS_ENV];
  if (keys !== undefined && keys !== "") {
    const known = decode.tokenKeys(TOKEN_KEYS_ENV, keys)[keyId];
    if (known !== undefined) return known;
  }
  throw new UsageError(
    `no secret for the key "${keyId}": give --secret, or set ${TOKEN_SECRET_ENV} (or ${TOKEN_KEYS_ENV} with the key "${keyId}")`,
  );
}

/** A flag's value with where it came from; an empty environment variable counts as unset. */
function fromFlagOrEnv(
  given: string | undefined,
  flag: string,
  env: NodeJS.ProcessEnv,
  variable: string,
): { text: string; source: string } | undefined {
  if (given !== undefined) return { text: decode.nonEmpty(flag, given) ?? "", source: flag };
  const text = env[variable];
  return text === undefined || text === "" ? undefined : { text, source: variable };
}

function required(given: string | undefined, flag: string): string {
  if (given === undefined) throw new UsageError(`\`wscomsrv token\` needs ${flag}`);
  return given;
}

/** The flags and their values, the command and what follows it. */
interface Parsed {
  values: Values;
  positionals: string[];
}

/** Each flag given, with its value: a string, or `true` for a switch. */
type Values = {
  [K in Flag]?: (typeof OPTIONS)[K]["type"] extends "string" ? string : boolean;
};

/**
 * Splits the arguments with Node's `parseArgs`, leniently, and then checks each flag itself,
 * for messages that say what to do: an unknown flag names the closest known one, a missing
 * value says what the flag takes, and a value may start with `-` (`--ttl -5` is then refused
 * for what it is, a negative number). A value that looks like a flag is taken for a missing
 * value; it is never shown, as it may be a secret.
 */
function parse(argv: readonly string[]): Parsed {
  const { tokens } = parseNodeArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: OPTIONS,
  });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const flag = isFlag(token.name) ? token.name : undefined;
    if (flag === undefined) throw new UsageError(unknownFlag(token.rawName, positionals[0]));
    const shown = token.rawName === `--${flag}` ? token.rawName : `${token.rawName} (--${flag})`;
    if (OPTIONS[flag].type === "boolean") {
      if (token.value !== undefined) throw new UsageError(`${shown} takes no value`);
      values[flag] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && /^-(?!\d)./.test(value))) {
      throw new UsageError(
        `${shown} needs a value: ${VALUE_OF[flag]}${value === undefined ? "" : ` (a value that starts with - goes as --${flag}=VALUE)`}`,
      );
    }
    values[flag] = value;
  }
  // Each value has its flag's type: strings for string flags, `true` for switches (above).
  return { values: values as Values, positionals };
}

function isFlag(name: string): name is Flag {
  return Object.hasOwn(OPTIONS, name);
}

/** `unknown flag --prot; did you mean --port?`, for the flags of `command` (default serve). */
function unknownFlag(raw: string, command: string | undefined): string {
  if (!raw.startsWith("--")) {
    return `unknown flag ${raw}; the short flags are -p (--port), -q (--quiet), -h (--help) and -v (--version)`;
  }
  const flags = [...(command === "token" ? FLAGS_OF.token : FLAGS_OF.serve), "help", "version"];
  const near = closest(raw.slice(2), flags) ?? closest(raw.slice(2), Object.keys(OPTIONS));
  return `unknown flag ${raw}; ${near === undefined ? "`wscomsrv --help` lists the flags" : `did you mean --${near}?`}`;
}
