/**
 * The relay's configuration, read from the Worker's environment (variables and secrets) and
 * checked once. A bad configuration refuses connections with a clear message instead of
 * running with a guess.
 *
 * @module
 */

import { type Limits, parseLimits } from "wscomsrv-protocol";
import { isKeyId, isStrongSecret, MIN_SECRET_BYTES } from "../auth/token.js";
import type { Env } from "./env.js";

/** How a room lets clients in. */
export type Policy = "open" | "password" | "token";

const POLICIES: ReadonlySet<string> = new Set(["open", "password", "token"]);

function isPolicy(value: unknown): value is Policy {
  return typeof value === "string" && POLICIES.has(value);
}

/** The relay's configuration. */
export interface RelayConfig {
  /** The limits every room enforces. */
  limits: Limits;
  /** The room password (`ROOM_PASSWORD`), if any. */
  password: string | undefined;
  /** Token secrets by key id (`TOKEN_KEYS`). */
  tokenKeys: ReadonlyMap<string, string>;
  /** Origins browsers may connect from (`ALLOWED_ORIGINS`); `undefined`: any. */
  allowedOrigins: ReadonlySet<string> | undefined;
  /** The policy of a room (`ROOM_POLICY`). */
  policyFor(room: string): Policy;
}

/** The configuration, or what is wrong with it. */
export type ConfigResult = { ok: true; config: RelayConfig } | { ok: false; problem: string };

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
}

function parseKeys(text: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  if (!text) return keys;
  const parsed = parseJson(text, "TOKEN_KEYS");
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error('TOKEN_KEYS must be a JSON object {"keyId": "secret"}');
  }
  for (const [id, secret] of Object.entries(parsed)) {
    if (!isKeyId(id)) throw new Error(`TOKEN_KEYS has a bad key id "${id}"`);
    if (typeof secret !== "string" || !isStrongSecret(secret)) {
      throw new Error(`TOKEN_KEYS: the secret of "${id}" needs at least ${MIN_SECRET_BYTES} bytes`);
    }
    keys.set(id, secret);
  }
  return keys;
}

function parseOrigins(text: string | undefined): Set<string> | undefined {
  if (!text?.trim()) return undefined;
  return new Set(text.split(/[\s,]+/).filter((origin) => origin.length > 0));
}

/** A rule of `ROOM_POLICY`: an exact room name, a prefix ending in `*`, or `*`. */
interface PolicyRule {
  pattern: string;
  policy: Policy;
}

function parsePolicies(text: string | undefined, fallback: Policy): PolicyRule[] {
  if (!text?.trim()) return [{ pattern: "*", policy: fallback }];
  const trimmed = text.trim();
  if (isPolicy(trimmed)) return [{ pattern: "*", policy: trimmed }];
  const parsed = parseJson(trimmed, "ROOM_POLICY");
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error('ROOM_POLICY must be open, password, token, or a JSON object {"room": policy}');
  }
  const rules: PolicyRule[] = [];
  for (const [pattern, policy] of Object.entries(parsed)) {
    if (!isPolicy(policy)) throw new Error(`ROOM_POLICY: "${pattern}" has an unknown policy`);
    rules.push({ pattern, policy });
  }
  // Exact names first, then longer prefixes before shorter ones, "*" last.
  rules.sort((a, b) => rank(b.pattern) - rank(a.pattern));
  if (!rules.some((rule) => rule.pattern === "*")) rules.push({ pattern: "*", policy: fallback });
  return rules;
}

function rank(pattern: string): number {
  return pattern.endsWith("*") ? pattern.length : 1_000;
}

function matches(pattern: string, room: string): boolean {
  return pattern.endsWith("*") ? room.startsWith(pattern.slice(0, -1)) : room === pattern;
}

/**
 * Reads the configuration from the environment:
 * `ROOM_PASSWORD`, `TOKEN_KEYS`, `ALLOWED_ORIGINS`, `ROOM_POLICY` and `LIMITS`.
 */
export function readConfig(env: Env): ConfigResult {
  try {
    const password = env.ROOM_PASSWORD ? env.ROOM_PASSWORD : undefined;
    const limits = parseLimits(env.LIMITS ? parseJson(env.LIMITS, "LIMITS") : undefined);
    if (typeof limits === "string") throw new Error(`LIMITS: ${limits}`);
    const tokenKeys = parseKeys(env.TOKEN_KEYS);
    const rules = parsePolicies(env.ROOM_POLICY, password === undefined ? "open" : "password");
    for (const rule of rules) {
      if (rule.policy === "password" && password === undefined) {
        throw new Error(`room policy "password" for "${rule.pattern}" needs ROOM_PASSWORD`);
      }
      if (rule.policy === "token" && tokenKeys.size === 0) {
        throw new Error(`room policy "token" for "${rule.pattern}" needs TOKEN_KEYS`);
      }
    }
    const policyFor = (room: string): Policy =>
      rules.find((rule) => matches(rule.pattern, room))?.policy ?? "open";
    return {
      ok: true,
      config: {
        limits,
        password,
        tokenKeys,
        allowedOrigins: parseOrigins(env.ALLOWED_ORIGINS),
        policyFor,
      },
    };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

const cache = new WeakMap<object, ConfigResult>();

/** {@link readConfig}, once per environment object. */
export function relayConfig(env: Env): ConfigResult {
  let result = cache.get(env);
  if (result === undefined) {
    result = readConfig(env);
    cache.set(env, result);
  }
  return result;
}
