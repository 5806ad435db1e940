/**
 * What `wscomsrv serve` prints once the relay listens: where to connect, where a browser finds
 * a room's console (docs/console.md), and how its rooms are configured. Key ids are shown;
 * passwords and secrets never are.
 *
 * @module
 */

import type { SocketServer } from "../server/index.js";
import type { ServeCommand } from "./args.js";

/**
 * The lines printed at the start; with `--quiet`, only the first.
 *
 * @example
 * ```ts
 * banner(server, command);
 * // "wscomsrv listening on ws://127.0.0.1:8888\n  rooms: ...\n  console: ...\n  access: open ...\n"
 * ```
 */
export function banner(server: SocketServer, command: ServeCommand): string {
  const lines = [`wscomsrv listening on ${server.wsAddress}`];
  if (command.quiet) return `${lines[0]}\n`;
  if (server.host === "0.0.0.0" || server.host === "::") {
    lines.push(`  on every interface; from this machine: ws://127.0.0.1:${server.port}`);
  }
  lines.push(
    `  rooms: ${server.wsAddress}/<room> (${server.wsAddress} is the room "default")`,
    `  console: ${server.wsAddress.replace(/^ws/, "http")}/<room> in a browser`,
    `  access: ${access(command)}`,
  );
  if (command.tokenKeys !== undefined) {
    const ids = Object.keys(command.tokenKeys);
    lines.push(`  token keys: ${ids.length === 0 ? "none" : ids.join(", ")}`);
  }
  lines.push(
    `  origins: ${command.allowedOrigins?.join(", ") ?? "any"}`,
    `  limits: ${limits(command)}`,
  );
  if (command.roomLimits !== undefined) lines.push(`  limits by room: ${roomLimits(command)}`);
  lines.push(
    `  state: ${server.persist === undefined ? "not kept (no --persist)" : `kept in ${server.persist}`}`,
    "  Ctrl-C stops it",
  );
  return `${lines.join("\n")}\n`;
}

const ACCESS = {
  open: "open rooms, no password",
  password: "every room asks for the password",
  token: "every room needs a token",
} as const;

function access(command: ServeCommand): string {
  // The relay's default, also for the rooms a map of policies leaves out.
  const fallback = command.password === undefined ? "open" : "password";
  const policy = command.roomPolicy ?? fallback;
  if (typeof policy === "string") return ACCESS[policy];
  const rules = Object.entries(policy).map(([pattern, each]) => `${pattern} ${each}`);
  if (!("*" in policy)) rules.push(`* ${fallback}`);
  return `by room: ${rules.join(", ")}`;
}

/** `lab-* mailWindowMs 600000; big maxConnections 20000`, or `none` for an empty map. */
function roomLimits(command: ServeCommand): string {
  const entries = Object.entries(command.roomLimits ?? {}).map(([pattern, overrides]) => {
    const changed = Object.entries(overrides).map(([name, value]) => ` ${name} ${value}`);
    return `${pattern}${changed.join(",")}`;
  });
  return entries.length === 0 ? "none" : entries.join("; ");
}

function limits(command: ServeCommand): string {
  if (command.limits === undefined) return "the relay's defaults";
  const changed = Object.entries(command.limits).map(([name, value]) => `${name} ${value}`);
  return `${changed.join(", ")}, others the relay's defaults`;
}
