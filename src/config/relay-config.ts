/**
 * The relay's configuration as a whole: the room password, the room policies, the token keys,
 * the origins, the limits and the limits by room, checked together (a `"token"` room needs
 * token keys), from the Worker's variables or from the values the embedded server and the CLI
 * are given. A bad configuration is a result, never an exception: the Worker refuses
 * connections with it, the server and the CLI refuse to start.
 *
 * @module
 */

import type { Limits } from "wscomsrv-protocol";
import {
  type Checked,
  checkLimits,
  checkOrigins,
  checkPassword,
  checkPolicy,
  checkRoomLimits,
  checkTokenKeys,
  decodeLimits,
  decodeOrigins,
  decodePolicy,
  decodeRoomLimits,
  decodeTokenKeys,
  type PolicySetting,
  type ProblemKind,
  type RoomLimits,
  type RoomLimitsSetting,
  type RoomPolicy,
} from "./settings.js";

/**
 * The relay's settings as values; every one is optional. Each is one of the Worker's
 * variables (`docs/security.md`).
 *
 * @example
 * ```ts
 * const settings: RelaySettings = { password: "pw", roomPolicy: { "lab-*": "password", "*": "open" } };
 * ```
 */
export interface RelaySettings {
  /**
   * The room password (the Worker's `ROOM_PASSWORD`). With one, rooms ask for it at identify
   * unless `roomPolicy` says otherwise. Unset or `""`: no password. Default: unset.
   */
  password?: string | undefined;
  /**
   * How rooms let clients in (the Worker's `ROOM_POLICY`): one policy for every room, or a
   * map from room names, name prefixes ending in `*`, and `"*"` to policies. `"password"`
   * needs `password`, `"token"` needs `tokenKeys`. Default: `"password"` when a password is
   * set, else `"open"`.
   */
  roomPolicy?: PolicySetting | undefined;
  /**
   * Token signing secrets by key id (the Worker's `TOKEN_KEYS`), for rooms with the `"token"`
   * policy. Key ids are 1 to 32 of `A-Z a-z 0-9 _ -`; secrets have at least 32 bytes.
   * Default: none.
   */
  tokenKeys?: Readonly<Record<string, string>> | undefined;
  /**
   * Origins browsers may connect from (the Worker's `ALLOWED_ORIGINS`), as browsers send
   * them: `["https://app.example"]`. Default: unset, any origin.
   */
  allowedOrigins?: readonly string[] | undefined;
  /** Limits for every room (the Worker's `LIMITS`). Default: the relay's defaults. */
  limits?: RoomLimits | undefined;
  /**
   * Limits by room (the Worker's `ROOM_LIMITS`): a map from room names, name prefixes ending
   * in `*`, and `"*"` to limits, matched as `roomPolicy`'s map is (the exact name first, then
   * the longest prefix, `"*"` last). A room's limits are `limits`, then the fields of the one
   * entry that matches it; each room's limits together must pass `parseLimits`. Default: none,
   * every room has `limits`.
   */
  roomLimits?: RoomLimitsSetting | undefined;
}

/** The name of one of the {@link RelaySettings}. */
export type SettingName = keyof RelaySettings;

/**
 * The Worker's variable of each setting.
 *
 * @example
 * ```ts
 * SETTING_VARIABLES.tokenKeys; // "TOKEN_KEYS"
 * ```
 */
export const SETTING_VARIABLES: Readonly<Record<SettingName, string>> = Object.freeze({
  password: "ROOM_PASSWORD",
  roomPolicy: "ROOM_POLICY",
  tokenKeys: "TOKEN_KEYS",
  allowedOrigins: "ALLOWED_ORIGINS",
  limits: "LIMITS",
  roomLimits: "ROOM_LIMITS",
});

/**
 * The Worker's variables and secrets that configure the relay, as text; unset or empty means
 * the default. `docs/security.md` documents each.
 */
export interface RelayVariables {
  /** The room password (a secret). Unset or empty: no password. */
  ROOM_PASSWORD?: string;
  /** Token signing secrets by key id, as JSON `{"k1": "secret"}` (a secret). */
  TOKEN_KEYS?: string;
  /** Origins browsers may connect from, separated by commas or spaces. Unset: any. */
  ALLOWED_ORIGINS?: string;
  /** `open`, `password`, `token`, or JSON `{"room": policy, "prefix*": policy, "*": policy}`. */
  ROOM_POLICY?: string;
  /** Overrides of the default limits, as JSON `{"framesPerSecond": 100}`. */
  LIMITS?: string;
  /** Overrides of `LIMITS` by room, as JSON `{"room": limits, "prefix*": limits, "*": limits}`. */
  ROOM_LIMITS?: string;
}

/** The relay's configuration, checked. */
export interface RelayConfig {
  /** The relay's limits: those of every room that no entry of `roomLimits` matches. */
  limits: Limits;
  /** The limits by room as given (each entry's overrides of `limits`); `undefined`: none. */
  roomLimits: RoomLimitsSetting | undefined;
  /** The room password, if any. */
  password: string | undefined;
  /** The room policy setting as given; `undefined`: the default. */
  policy: PolicySetting | undefined;
  /** Token secrets by key id. */
  tokenKeys: ReadonlyMap<string, string>;
  /** Origins browsers may connect from; `undefined`: any. */
  allowedOrigins: ReadonlySet<string> | undefined;
  /** The policy of a room. */
  policyFor(room: string): RoomPolicy;
  /** The limits a room enforces: `limits`, with the best matching `roomLimits` entry over them. */
  limitsFor(room: string): Limits;
}

/**
 * The configuration, or what is wrong with it: a sentence naming the setting, and its
 * {@link ProblemKind}.
 */
export type ConfigResult =
  | { ok: true; config: RelayConfig }
  | { ok: false; kind: ProblemKind; problem: string };

/**
 * Checks settings given as values (the embedded server's options, the CLI's decoded flags).
 *
 * @param nameOf - How messages name each setting. Default: the Worker's variable.
 * @example
 * ```ts
 * const result = checkRelayConfig({ roomPolicy: "token" }, (setting) => `options.${setting}`);
 * // { ok: false, kind: "conflict", problem: 'room policy "token" for "*" needs options.tokenKeys' }
 * ```
 */
export function checkRelayConfig(
  settings: { readonly [K in SettingName]?: unknown },
  nameOf: (setting: SettingName) => string = (setting) => SETTING_VARIABLES[setting],
): ConfigResult {
  const { password, roomPolicy, tokenKeys, allowedOrigins, limits, roomLimits } = settings;
  const relayLimits = checkLimits(limits, nameOf("limits"));
  return assemble(
    {
      password: checkPassword(password, nameOf("password")),
      policy: roomPolicy === undefined ? unset : checkPolicy(roomPolicy, nameOf("roomPolicy")),
      tokenKeys: tokenKeys === undefined ? unset : checkTokenKeys(tokenKeys, nameOf("tokenKeys")),
      origins:
        allowedOrigins === undefined
          ? unset
          : checkOrigins(allowedOrigins, nameOf("allowedOrigins")),
      limits: relayLimits,
      roomLimits:
        roomLimits === undefined || !relayLimits.ok
          ? unset
          : checkRoomLimits(roomLimits, relayLimits.value, nameOf("roomLimits")),
    },
    nameOf,
  );
}

/**
 * Reads the configuration from the Worker's variables: `ROOM_PASSWORD`, `TOKEN_KEYS`,
 * `ALLOWED_ORIGINS`, `ROOM_POLICY`, `LIMITS` and `ROOM_LIMITS`.
 *
 * @example
 * ```ts
 * const result = readRelayVariables({ ROOM_POLICY: "token" });
 * // { ok: false, kind: "conflict", problem: 'room policy "token" for "*" needs TOKEN_KEYS' }
 * ```
 */
export function readRelayVariables(variables: RelayVariables): ConfigResult {
  const name = (setting: SettingName) => SETTING_VARIABLES[setting];
  const { ROOM_PASSWORD, ROOM_POLICY, TOKEN_KEYS, ALLOWED_ORIGINS, LIMITS, ROOM_LIMITS } =
    variables;
  const limits = LIMITS ? decodeLimits(LIMITS, name("limits")) : checkLimits(undefined, "");
  return assemble(
    {
      password: checkPassword(ROOM_PASSWORD, name("password")),
      policy: ROOM_POLICY?.trim() ? decodePolicy(ROOM_POLICY, name("roomPolicy")) : unset,
      tokenKeys: TOKEN_KEYS ? decodeTokenKeys(TOKEN_KEYS, name("tokenKeys")) : unset,
      origins: ALLOWED_ORIGINS?.trim()
        ? decodeOrigins(ALLOWED_ORIGINS, name("allowedOrigins"))
        : unset,
      limits,
      roomLimits:
        ROOM_LIMITS?.trim() && limits.ok
          ? decodeRoomLimits(ROOM_LIMITS, limits.value, name("roomLimits"))
          : unset,
    },
    name,
  );
}

const cache = new WeakMap<object, ConfigResult>();

/**
 * {@link readRelayVariables}, once per variables object (the Worker's `env`).
 *
 * @example
 * ```ts
 * const configured = relayConfig(env);
 * if (!configured.ok) console.error(`relay misconfigured: ${configured.problem}`);
 * ```
 */
export function relayConfig(variables: RelayVariables): ConfigResult {
  let result = cache.get(variables);
  if (result === undefined) {
    result = readRelayVariables(variables);
    cache.set(variables, result);
  }
  return result;
}

/**
 * The Worker's variables for a checked configuration: the inverse of
 * {@link readRelayVariables}, for a relay the embedded server starts.
 *
 * @example
 * ```ts
 * relayVariables(config); // { ROOM_PASSWORD: "pw", LIMITS: "{...}", ROOM_LIMITS: '{"lab-*":{...}}' }
 * ```
 */
export function relayVariables(config: RelayConfig): Record<string, string> {
  const variables: Record<string, string> = { LIMITS: JSON.stringify(config.limits) };
  if (config.password !== undefined) variables.ROOM_PASSWORD = config.password;
  if (config.policy !== undefined) {
    variables.ROOM_POLICY =
      typeof config.policy === "string" ? config.policy : JSON.stringify(config.policy);
  }
  if (config.tokenKeys.size > 0) {
    variables.TOKEN_KEYS = JSON.stringify(Object.fromEntries(config.tokenKeys));
  }
  if (config.allowedOrigins !== undefined) {
    variables.ALLOWED_ORIGINS = [...config.allowedOrigins].join(",");
  }
  if (config.roomLimits !== undefined) variables.ROOM_LIMITS = JSON.stringify(config.roomLimits);
  return variables;
}

/** A setting left unset. */
const unset: Checked<undefined> = { ok: true, value: undefined };

/** Each setting checked on its own. */
interface CheckedSettings {
  password: Checked<string | undefined>;
  policy: Checked<PolicySetting | undefined>;
  tokenKeys: Checked<Record<string, string> | undefined>;
  origins: Checked<string[] | undefined>;
  limits: Checked<Limits>;
  roomLimits: Checked<RoomLimitsSetting | undefined>;
}

/** A rule of a map by room: an exact room name, a prefix ending in `*`, or `*`, and its value. */
interface Rule<T> {
  pattern: string;
  value: T;
}

/** The first problem of a setting, then the settings checked against each other. */
function assemble(
  checked: CheckedSettings,
  nameOf: (setting: SettingName) => string,
): ConfigResult {
  const { password, policy, tokenKeys, origins, limits, roomLimits } = checked;
  if (!limits.ok) return limits;
  if (!roomLimits.ok) return roomLimits;
  if (!password.ok) return password;
  if (!tokenKeys.ok) return tokenKeys;
  if (!policy.ok) return policy;
  if (!origins.ok) return origins;
  const keys = new Map(Object.entries(tokenKeys.value ?? {}));
  const rules = policyRules(policy.value, password.value === undefined ? "open" : "password");
  for (const rule of rules) {
    if (rule.value === "password" && password.value === undefined) {
      return conflict(`room policy "password" for "${rule.pattern}" needs ${nameOf("password")}`);
    }
    if (rule.value === "token" && keys.size === 0) {
      return conflict(`room policy "token" for "${rule.pattern}" needs ${nameOf("tokenKeys")}`);
    }
  }
  // Each entry passed `parseLimits` over the relay's limits: merged, they are valid limits.
  const limitRules = mapRules(roomLimits.value ?? {}).map(({ pattern, value }) => ({
    pattern,
    value: { ...limits.value, ...value },
  }));
  return {
    ok: true,
    config: {
      limits: limits.value,
      roomLimits: roomLimits.value,
      password: password.value,
      policy: policy.value,
      tokenKeys: keys,
      allowedOrigins: origins.value === undefined ? undefined : new Set(origins.value),
      policyFor: (room) => bestMatch(rules, room)?.value ?? "open",
      limitsFor: (room) => bestMatch(limitRules, room)?.value ?? limits.value,
    },
  };
}

function conflict(problem: string): ConfigResult {
  return { ok: false, kind: "conflict", problem };
}

/** The policy's rules, `*` with the fallback last unless the setting has one. */
function policyRules(setting: PolicySetting | undefined, fallback: RoomPolicy): Rule<RoomPolicy>[] {
  if (setting === undefined) return [{ pattern: "*", value: fallback }];
  if (typeof setting === "string") return [{ pattern: "*", value: setting }];
  const rules = mapRules(setting);
  if (!rules.some((rule) => rule.pattern === "*")) rules.push({ pattern: "*", value: fallback });
  return rules;
}

/** A map's rules in the order they are tried: exact names, longer prefixes first, `*` last. */
function mapRules<T>(setting: Readonly<Record<string, T>>): Rule<T>[] {
  const rules = Object.entries(setting).map(([pattern, value]) => ({ pattern, value }));
  return rules.sort((a, b) => rank(b.pattern) - rank(a.pattern));
}

/** The first rule that matches `room`: the best, in the order of {@link mapRules}. */
function bestMatch<T>(rules: readonly Rule<T>[], room: string): Rule<T> | undefined {
  return rules.find((rule) => matches(rule.pattern, room));
}

function rank(pattern: string): number {
  return pattern.endsWith("*") ? pattern.length : 1_000;
}

function matches(pattern: string, room: string): boolean {
  return pattern.endsWith("*") ? room.startsWith(pattern.slice(0, -1)) : room === pattern;
}
