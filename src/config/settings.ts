/**
 * The rules of each of the relay's settings on its own: the room policy, the token keys, the
 * origins, the limits and the limits by room, as values (the embedded server's options) and as
 * text (the Worker's variables, the CLI's flags). Every check returns a result instead of
 * throwing, like `parseLimits`; its message starts with `what`, the caller's name for the
 * setting (`TOKEN_KEYS`, `options.tokenKeys`, `--token-keys`), and never shows a secret.
 *
 * @module
 */

import {
  checkRoomName,
  DEFAULT_LIMITS,
  isLimitName,
  type Limits,
  parseLimits,
} from "wscomsrv-protocol";
import { isKeyId, isStrongSecret, MIN_SECRET_BYTES } from "../auth/token.js";

/**
 * How a room lets clients in: anyone, with the password, or with a signed token.
 *
 * @example
 * ```ts
 * const policy: RoomPolicy = "token";
 * ```
 */
export type RoomPolicy = "open" | "password" | "token";

/**
 * One policy for every room, or policies by room name, by name prefix ending in `*`, and `*`
 * for the rest.
 *
 * @example
 * ```ts
 * const policy: PolicySetting = { "lab-*": "token", lobby: "password", "*": "open" };
 * ```
 */
export type PolicySetting = RoomPolicy | Readonly<Record<string, RoomPolicy>>;

/**
 * Limits for every room; each field left out keeps the relay's default (`DEFAULT_LIMITS`).
 *
 * @example
 * ```ts
 * const limits: RoomLimits = { maxConnections: 50, framesPerSecond: 100 };
 * ```
 */
export type RoomLimits = Partial<Limits>;

/**
 * Limits by room name, by name prefix ending in `*`, and `*` for the rest, matched as the room
 * policy's map is. A room's limits are the relay's (`limits`), then the fields of the one entry
 * that matches it best.
 *
 * @example
 * ```ts
 * const roomLimits: RoomLimitsSetting = { "lab-*": { mailWindowMs: 600_000 }, big: { maxConnections: 20_000 } };
 * ```
 */
export type RoomLimitsSetting = Readonly<Record<string, RoomLimits>>;

/**
 * What kind of mistake a problem is: a value that is not of the setting's form (`"type"`), a
 * value out of the range the relay accepts (`"range"`), or settings that contradict each other
 * (`"conflict"`). The embedded server throws a `TypeError` or a `RangeError` for the first two.
 */
export type ProblemKind = "type" | "range" | "conflict";

/**
 * A checked value, or what is wrong with it.
 *
 * @example
 * ```ts
 * const keys = checkTokenKeys({ k1: "too short" }, "TOKEN_KEYS");
 * if (!keys.ok) console.error(keys.problem); // TOKEN_KEYS: the secret of "k1" needs at least 32 bytes
 * ```
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; kind: ProblemKind; problem: string };

const POLICIES: ReadonlySet<unknown> = new Set<RoomPolicy>(["open", "password", "token"]);

/** True for `"open"`, `"password"` and `"token"`. */
export function isRoomPolicy(value: unknown): value is RoomPolicy {
  return POLICIES.has(value);
}

function ok<T>(value: T): Checked<T> {
  return { ok: true, value };
}

function fail(
  kind: ProblemKind,
  problem: string,
): { ok: false; kind: ProblemKind; problem: string } {
  return { ok: false, kind, problem };
}

/** True for a plain object (not `null`, not an array). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A value as a message may quote it: a string in quotes, a number, else its kind.
 *
 * @example
 * ```ts
 * describeValue([1]); // "an array"
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  return typeof value;
}

/** The room password: a string; `""` means none. */
export function checkPassword(value: unknown, what: string): Checked<string | undefined> {
  if (value === undefined || value === "") return ok(undefined);
  if (typeof value !== "string") {
    return fail("type", `${what} must be a string, got ${describeValue(value)}`);
  }
  return ok(value);
}

/**
 * A {@link PolicySetting}. Patterns are room names, prefixes ending in `*`, and `*`; a pattern
 * that matches no room is refused.
 */
export function checkPolicy(value: unknown, what: string): Checked<PolicySetting> {
  if (isRoomPolicy(value)) return ok(value);
  if (!isObject(value)) {
    return fail(
      "type",
      `${what} must be "open", "password", "token", or an object of them by room, got ${describeValue(value)}`,
    );
  }
  const rules: [string, RoomPolicy][] = [];
  for (const [pattern, policy] of Object.entries(value)) {
    const matched = checkPattern(pattern, what);
    if (!matched.ok) return matched;
    if (!isRoomPolicy(policy)) {
      return fail(
        "type",
        `${what}: the policy of ${JSON.stringify(pattern)} must be "open", "password" or "token", got ${describeValue(policy)}`,
      );
    }
    rules.push([pattern, policy]);
  }
  return ok(Object.fromEntries(rules));
}

/** A pattern of a map by room: a room name, a prefix ending in `*`, or `*`. */
function checkPattern(pattern: string, what: string): Checked<string> {
  const stem = pattern.endsWith("*") ? pattern.slice(0, -1) : pattern;
  const problem = pattern === "*" ? undefined : checkRoomName(stem);
  if (problem === undefined) return ok(pattern);
  return fail(
    "type",
    `${what}: the pattern ${JSON.stringify(pattern)} matches no room (${problem}); patterns are room names, prefixes ending in *, and *`,
  );
}

/**
 * Token signing secrets by key id: ids of 1 to 32 of `A-Z a-z 0-9 _ -`, secrets of at least
 * 32 bytes. An id is quoted only once it is a valid id (a secret put where the id belongs is
 * never shown).
 */
export function checkTokenKeys(value: unknown, what: string): Checked<Record<string, string>> {
  if (!isObject(value)) {
    return fail(
      "type",
      `${what} must be an object like {"keyId": "secret"}, got ${describeValue(value)}`,
    );
  }
  const keys: [string, string][] = [];
  for (const [id, secret] of Object.entries(value)) {
    if (!isKeyId(id)) {
      return fail("type", `${what}: a key id is 1 to 32 of A-Z a-z 0-9 _ -, and one is not`);
    }
    if (typeof secret !== "string") {
      return fail("type", `${what}: the secret of "${id}" must be a string`);
    }
    const weak = checkTokenSecret(secret, `${what}: the secret of "${id}"`);
    if (!weak.ok) return weak;
    keys.push([id, secret]);
  }
  return ok(Object.fromEntries(keys));
}

/** A token secret of at least 32 bytes of UTF-8; `what` names where it came from. */
export function checkTokenSecret(secret: string, what: string): Checked<string> {
  if (!isStrongSecret(secret))
    return fail("range", `${what} needs at least ${MIN_SECRET_BYTES} bytes`);
  return ok(secret);
}

/** Origins as browsers send them (`scheme://host[:port]` in lower case, or `null`), at least one. */
export function checkOrigins(value: unknown, what: string): Checked<string[]> {
  if (!Array.isArray(value)) {
    return fail("type", `${what} must be an array of origins, got ${describeValue(value)}`);
  }
  if (value.length === 0) {
    return fail("range", `${what} needs at least one origin, like https://app.example`);
  }
  const origins: string[] = [];
  for (const origin of value) {
    if (typeof origin !== "string" || !isOrigin(origin)) {
      return fail(
        "type",
        `${what}: ${describeValue(origin)} is not an origin as browsers send it: scheme://host[:port] in lower case, no path, like https://app.example`,
      );
    }
    origins.push(origin);
  }
  return ok(origins);
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
 * Limit overrides, checked with the wire module's `parseLimits`; a field set to `undefined`
 * counts as left out.
 *
 * @returns every limit: the defaults with the overrides applied.
 */
export function checkLimits(value: unknown, what: string): Checked<Limits> {
  if (value === undefined) return ok({ ...DEFAULT_LIMITS });
  if (!isObject(value)) return fail("type", `${what}: limits must be a JSON object`);
  const limits = parseLimits(definedFields(value));
  return typeof limits === "string" ? fail("range", `${what}: ${limits}`) : ok(limits);
}

/**
 * A {@link RoomLimitsSetting}. Patterns are those of the room policy's map; each entry is
 * checked with `parseLimits` over `base` (the relay's limits), so that every room's limits
 * together are valid. A field set to `undefined` counts as left out.
 *
 * @returns each entry's overrides, by pattern.
 * @example
 * ```ts
 * checkRoomLimits({ "lab-*": { maxNameLength: 65 } }, DEFAULT_LIMITS, "ROOM_LIMITS");
 * // { ok: false, kind: "range", problem: 'ROOM_LIMITS: the limits of "lab-*": limit "maxNameLength" may not exceed 64' }
 * ```
 */
export function checkRoomLimits(
  value: unknown,
  base: Readonly<Limits>,
  what: string,
): Checked<Record<string, RoomLimits>> {
  if (!isObject(value)) {
    return fail(
      "type",
      `${what} must be an object of limits by room, like ${ROOM_LIMITS_EXAMPLE}, got ${describeValue(value)}`,
    );
  }
  const entries: [string, RoomLimits][] = [];
  for (const [pattern, given] of Object.entries(value)) {
    const matched = checkPattern(pattern, what);
    if (!matched.ok) return matched;
    const where = `${what}: the limits of ${JSON.stringify(pattern)}`;
    if (!isObject(given)) {
      return fail("type", `${where} must be an object of limits, got ${describeValue(given)}`);
    }
    const fields = definedFields(given);
    const limits = parseLimits({ ...base, ...fields });
    if (typeof limits === "string") return fail("range", `${where}: ${limits}`);
    const overrides: RoomLimits = {};
    for (const name of Object.keys(fields)) if (isLimitName(name)) overrides[name] = limits[name];
    entries.push([pattern, overrides]);
  }
  return ok(Object.fromEntries(entries));
}

const ROOM_LIMITS_EXAMPLE = '{"lab-*": {"mailWindowMs": 600000}}';

/** The fields of `value` that are not `undefined`. */
function definedFields(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined));
}

/**
 * Text that must be JSON (a variable, a flag). `example` shows the form; `quote` says whether
 * the message may show the text (never for secrets).
 */
export function decodeJson(
  text: string,
  what: string,
  example: string,
  quote: boolean,
): Checked<unknown> {
  try {
    return ok(JSON.parse(text));
  } catch {
    return fail(
      "type",
      `${what} must be JSON like ${example}${quote ? `, got ${JSON.stringify(text)}` : ""}`,
    );
  }
}

/** `open`, `password`, `token`, or a JSON object of them by room pattern, as text. */
export function decodePolicy(text: string, what: string): Checked<PolicySetting> {
  const trimmed = text.trim();
  if (isRoomPolicy(trimmed)) return ok(trimmed);
  if (!trimmed.startsWith("{")) {
    return fail(
      "type",
      `${what} must be open, password, token, or a JSON object like {"lab-*":"token","*":"open"}, got ${JSON.stringify(text)}`,
    );
  }
  const json = decodeJson(trimmed, what, '{"room": "policy"}', true);
  return json.ok ? checkPolicy(json.value, what) : json;
}

/** Token keys as JSON text, `{"k1": "secret"}`; the message never quotes the text. */
export function decodeTokenKeys(text: string, what: string): Checked<Record<string, string>> {
  const example = '{"keyId": "secret"}';
  const json = decodeJson(text, what, example, false);
  if (!json.ok) return json;
  if (!isObject(json.value)) return fail("type", `${what} must be a JSON object like ${example}`);
  return checkTokenKeys(json.value, what);
}

/** Origins separated by commas or spaces, as text. */
export function decodeOrigins(text: string, what: string): Checked<string[]> {
  return checkOrigins(
    text.split(/[\s,]+/).filter((origin) => origin !== ""),
    what,
  );
}

/** Limits as JSON text, `{"maxNameLength": 16}`. */
export function decodeLimits(text: string, what: string): Checked<Limits> {
  const json = decodeJson(text, what, '{"maxNameLength": 16}', true);
  if (!json.ok) return json;
  // JSON `null` is no object of limits.
  return json.value === null
    ? fail("type", `${what}: limits must be a JSON object`)
    : checkLimits(json.value, what);
}

/** Limits by room as JSON text, `{"lab-*": {"mailWindowMs": 600000}}`, over `base`. */
export function decodeRoomLimits(
  text: string,
  base: Readonly<Limits>,
  what: string,
): Checked<Record<string, RoomLimits>> {
  const json = decodeJson(text, what, ROOM_LIMITS_EXAMPLE, true);
  return json.ok ? checkRoomLimits(json.value, base, what) : json;
}
