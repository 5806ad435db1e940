/**
 * The values of `wscomsrv`'s flags, decoded and checked with the relay's own rules: a bad one
 * is a {@link UsageError} naming the flag (or the environment variable it came from). Messages
 * quote what was given, except secrets, which they never show.
 *
 * @module
 */

import {
  checkName,
  checkRoomName,
  DEFAULT_LIMITS,
  isLimitName,
  parseLimits,
} from "wscomsrv-protocol";
import { isKeyId, isStrongSecret, MIN_SECRET_BYTES } from "../auth/token.js";
import type { RoomLimits, RoomPolicy } from "./options.js";
import { UsageError } from "./usage-error.js";

/** `--policy`: one policy for every room, or policies by room name, prefix (`lab-*`) and `*`. */
export type PolicySetting = RoomPolicy | Readonly<Record<string, RoomPolicy>>;

const POLICIES: ReadonlySet<string> = new Set<RoomPolicy>(["open", "password", "token"]);

function isPolicy(value: unknown): value is RoomPolicy {
  return typeof value === "string" && POLICIES.has(value);
}

/** A port, 0 to 65535. */
export function portNumber(flag: string, text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new UsageError(`${flag} must be a number from 0 to 65535, got ${JSON.stringify(text)}`);
  }
  return port;
}

/** The value, unless it is empty. */
export function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === "") throw new UsageError(`${flag} must not be empty`);
  return value;
}

/** `open`, `password`, `token`, or a JSON object of them by room pattern. */
export function roomPolicy(flag: string, text: string): PolicySetting {
  const trimmed = text.trim();
  if (isPolicy(trimmed)) return trimmed;
  if (!trimmed.startsWith("{")) {
    throw new UsageError(
      `${flag} must be open, password, token, or a JSON object like {"lab-*":"token","*":"open"}, got ${JSON.stringify(text)}`,
    );
  }
  const rules: [string, RoomPolicy][] = [];
  for (const [pattern, policy] of jsonEntries(flag, trimmed, '{"room": "policy"}', true)) {
    const stem = pattern.endsWith("*") ? pattern.slice(0, -1) : pattern;
    const problem = stem === "" ? undefined : checkRoomName(stem);
    if (problem !== undefined) {
      throw new UsageError(
        `${flag}: the pattern ${JSON.stringify(pattern)} matches no room (${problem}); patterns are room names, prefixes ending in *, and *`,
      );
    }
    if (!isPolicy(policy)) {
      throw new UsageError(
        `${flag}: the policy of ${JSON.stringify(pattern)} must be "open", "password" or "token", got ${JSON.stringify(policy)}`,
      );
    }
    rules.push([pattern, policy]);
  }
  return Object.fromEntries(rules);
}

/**
 * Token signing secrets by key id, as JSON `{"k1": "secret"}`. Key ids are quoted in messages
 * only once they are valid ids (a secret put where the id belongs is never shown).
 */
export function tokenKeys(source: string, text: string): Record<string, string> {
  const keys: [string, string][] = [];
  for (const [id, secret] of jsonEntries(source, text, '{"keyId": "secret"}', false)) {
    if (!isKeyId(id)) {
      throw new UsageError(`${source}: a key id is 1 to 32 of A-Z a-z 0-9 _ -, and one is not`);
    }
    if (typeof secret !== "string") {
      throw new UsageError(`${source}: the secret of "${id}" must be a string`);
    }
    keys.push([id, tokenSecret(`${source}: the secret of "${id}"`, secret)]);
  }
  return Object.fromEntries(keys);
}

/** A key id: 1 to 32 of `A-Z a-z 0-9 _ -`. */
export function keyId(flag: string, text: string): string {
  if (!isKeyId(text)) {
    throw new UsageError(`${flag} must be 1 to 32 of A-Z a-z 0-9 _ -, got ${JSON.stringify(text)}`);
  }
  return text;
}

/** A token secret of at least 32 bytes of UTF-8; `what` names where it came from. */
export function tokenSecret(what: string, secret: string): string {
  if (!isStrongSecret(secret)) {
    throw new UsageError(`${what} needs at least ${MIN_SECRET_BYTES} bytes`);
  }
  return secret;
}

/** Origins (`scheme://host[:port]`, or `null`), separated by commas or spaces. */
export function origins(flag: string, text: string): string[] {
  const list = text.split(/[\s,]+/).filter((origin) => origin !== "");
  if (list.length === 0) {
    throw new UsageError(`${flag} needs at least one origin, like https://app.example`);
  }
  for (const origin of list) {
    if (!isOrigin(origin)) {
      throw new UsageError(
        `${flag}: ${JSON.stringify(origin)} is not an origin as browsers send it: scheme://host[:port] in lower case, no path, like https://app.example`,
      );
    }
  }
  return list;
}

function isOrigin(text: string): boolean {
  if (text === "null") return true;
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}

/**
 * Limits as JSON, checked with the relay's own `parseLimits`; returns those that differ from
 * the defaults.
 */
export function limits(flag: string, text: string): RoomLimits {
  const value = json(flag, text, '{"maxNameLength": 16}', true);
  const parsed =
    typeof value === "object" && value !== null
      ? parseLimits(value)
      : "limits must be a JSON object";
  if (typeof parsed === "string") throw new UsageError(`${flag}: ${parsed}`);
  const overrides: RoomLimits = {};
  for (const name of Object.keys(parsed)) {
    if (isLimitName(name) && parsed[name] !== DEFAULT_LIMITS[name]) overrides[name] = parsed[name];
  }
  return overrides;
}

/** A room name, as in `ws://HOST/<room>`. */
export function roomName(flag: string, text: string): string {
  const problem = checkRoomName(text);
  if (problem !== undefined) throw new UsageError(`${flag}: ${problem}`);
  return text;
}

/** A client name, as a client identifies. */
export function clientName(flag: string, text: string): string {
  const problem = checkName(text);
  if (problem !== undefined) throw new UsageError(`${flag}: ${problem}`);
  return text;
}

/** A whole number of seconds, at least 1 and at most `max`. */
export function seconds(flag: string, text: string, max: number): number {
  const value = /^\d{1,12}$/.test(text) ? Number(text) : 0;
  if (value < 1) {
    throw new UsageError(
      `${flag} must be a whole number of seconds, at least 1, got ${JSON.stringify(text)}`,
    );
  }
  if (value > max) throw new UsageError(`${flag} ${text} is more than ${max} seconds`);
  return value;
}

/**
 * A time in whole seconds since 1970, after `now` (milliseconds since 1970) and at most
 * `maxAhead` seconds after it.
 */
export function futureTime(flag: string, text: string, now: number, maxAhead: number): number {
  const value = /^\d{1,12}$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(value)) {
    throw new UsageError(
      `${flag} must be a time in whole seconds since 1970, got ${JSON.stringify(text)}`,
    );
  }
  if (value * 1000 <= now) {
    throw new UsageError(`${flag} ${text} is in the past (now is ${Math.floor(now / 1000)})`);
  }
  if (value - Math.floor(now / 1000) > maxAhead) {
    throw new UsageError(
      `${flag} ${text} is more than ${maxAhead} seconds from now (now is ${Math.floor(now / 1000)})`,
    );
  }
  return value;
}

function json(flag: string, text: string, example: string, quote: boolean): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const given = quote ? `, got ${JSON.stringify(text)}` : "";
    throw new UsageError(`${flag} must be JSON like ${example}${given}`);
  }
}

/** The entries of a JSON object, in order. */
function jsonEntries(
  flag: string,
  text: string,
  example: string,
  quote: boolean,
): [string, unknown][] {
  const value = json(flag, text, example, quote);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`${flag} must be a JSON object like ${example}`);
  }
  return Object.entries(value);
}
