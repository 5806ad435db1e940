/**
 * Signed tokens: a name in a room until a time, signed with HMAC-SHA256 under a key id so that
 * keys can rotate. Minted by the operator (the exported {@link mintToken}, or the CLI), checked
 * by the Worker before a socket reaches its room. Uses only WebCrypto, so it runs in workerd,
 * Node and browsers alike.
 *
 * Format: `v1.<keyId>.<payload>.<signature>`, where `payload` is the base64url of
 * `{"room":…,"name":…,"exp":…}` (`exp` in seconds since 1970) and `signature` the base64url of
 * HMAC-SHA256(secret, "v1.<keyId>.<payload>").
 *
 * @module
 */

import { checkName, checkRoomName } from "../protocol/names.js";
import { fromBase64Url, toBase64Url } from "./base64url.js";

const VERSION = "v1";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** HMAC-SHA256 signs with 32 bytes; a token carries all of them. */
const SIGNATURE_BYTES = 32;

/**
 * The shortest secret accepted, in bytes of UTF-8: 32.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 *
 * const secret = randomBytes(MIN_SECRET_BYTES).toString("base64url"); // 43 characters
 * ```
 */
export const MIN_SECRET_BYTES = 32;

/** True when `id` is a valid key id: 1-32 characters of `A-Z a-z 0-9 _ -`. */
export function isKeyId(id: string): boolean {
  return KEY_ID.test(id);
}

/** True when `secret` is long enough to sign tokens ({@link MIN_SECRET_BYTES} bytes of UTF-8). */
export function isStrongSecret(secret: string): boolean {
  return new TextEncoder().encode(secret).byteLength >= MIN_SECRET_BYTES;
}

/**
 * What a token grants: one name in one room until a time.
 *
 * @example
 * ```ts
 * const check = await verifyToken(token, "lab", new Map([["k1", secret]]));
 * if (check.ok) {
 *   const claims: TokenClaims = check.claims; // { room: "lab", name: "Scope1", exp: 1795671033 }
 * }
 * ```
 */
export interface TokenClaims {
  /** The room the token is for. */
  room: string;
  /** The only name the socket may identify as. */
  name: string;
  /** When the token expires, in seconds since 1970. */
  exp: number;
}

/**
 * A signing key: an id (carried in the token) and a secret (never). The relay knows it by the
 * same id (`TOKEN_KEYS`, the local server's `tokenKeys`, `wscomsrv serve --token-keys`).
 *
 * @example
 * ```ts
 * const key: TokenKey = { id: "k1", secret: process.env.WSCOMSRV_TOKEN_SECRET ?? "" };
 * await SocketServer.start({ roomPolicy: "token", tokenKeys: { [key.id]: key.secret } });
 * ```
 */
export interface TokenKey {
  /** 1-32 characters of `A-Z a-z 0-9 _ -`. */
  id: string;
  /** At least {@link MIN_SECRET_BYTES} bytes. */
  secret: string;
}

/**
 * The outcome of {@link verifyToken}: the claims, or why the token is refused (`"expired
 * token"`, `"unknown token key"`, `"bad token signature"`, `"token is for another room"`,
 * `"malformed token"`).
 *
 * @example
 * ```ts
 * const check: TokenCheck = await verifyToken(token, "lab", keys);
 * console.log(check.ok ? check.claims.name : check.reason);
 * ```
 */
export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keyCache.set(secret, key);
  }
  return key;
}

/** Throws a `TypeError` when a key cannot sign or verify tokens. */
export function assertTokenKey(key: TokenKey): void {
  if (!isKeyId(key.id)) throw new TypeError("a token key id is 1-32 of A-Z a-z 0-9 _ -");
  if (!isStrongSecret(key.secret)) {
    throw new TypeError(`a token secret needs at least ${MIN_SECRET_BYTES} bytes`);
  }
}

/**
 * Mints a token for `name` in `room`, valid for `ttlSeconds` from now or until `exp`.
 *
 * @param claims - The room, the name, and either `exp` (seconds since 1970) or `ttlSeconds`.
 * @param key - The signing key; its id goes into the token.
 * @throws TypeError for a bad room, name, key or expiry (a caller's mistake).
 * @example
 * ```ts
 * const token = await mintToken({ room: "lab", name: "Scope1", ttlSeconds: 3600 }, { id: "k1", secret });
 * new WebSocket("wss://relay.example/lab", ["wscomsrv", `wscomsrv.token.${token}`]);
 * ```
 */
export async function mintToken(
  claims: { room: string; name: string } & ({ exp: number } | { ttlSeconds: number }),
  key: TokenKey,
): Promise<string> {
  assertTokenKey(key);
  const roomProblem = checkRoomName(claims.room);
  if (roomProblem !== undefined) throw new TypeError(roomProblem);
  const nameProblem = checkName(claims.name);
  if (nameProblem !== undefined) throw new TypeError(nameProblem);
  const exp = "exp" in claims ? claims.exp : Math.floor(Date.now() / 1000) + claims.ttlSeconds;
  if (!Number.isSafeInteger(exp)) throw new TypeError("a token's expiry is a whole second");
  const payload = toBase64Url(
    encoder.encode(JSON.stringify({ room: claims.room, name: claims.name, exp })),
  );
  const signed = `${VERSION}.${key.id}.${payload}`;
  const signature = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(key.secret),
    encoder.encode(signed),
  );
  return `${signed}.${toBase64Url(new Uint8Array(signature))}`;
}

/**
 * Checks a token's signature (with the key its id names), expiry and room, as the relay does
 * before a socket reaches its room. Never throws.
 *
 * @param token - The token as the client sent it.
 * @param room - The room the socket asks for.
 * @param keys - Secrets by key id.
 * @param now - The time in milliseconds since 1970. Default: now.
 * @example
 * ```ts
 * const check = await verifyToken(token, "lab", new Map([["k1", secret]]));
 * if (!check.ok) console.error(`refused: ${check.reason}`);
 * ```
 */
export async function verifyToken(
  token: string,
  room: string,
  keys: ReadonlyMap<string, string>,
  now: number = Date.now(),
): Promise<TokenCheck> {
  const parts = token.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) return { ok: false, reason: "malformed token" };
  const [version, keyId, payload, signature] = parts as [string, string, string, string];
  const secret = keys.get(keyId);
  if (secret === undefined) return { ok: false, reason: "unknown token key" };
  // One spelling per token: canonical base64url (see fromBase64Url) and a whole signature.
  const signatureBytes = fromBase64Url(signature);
  const payloadBytes = fromBase64Url(payload);
  if (signatureBytes?.byteLength !== SIGNATURE_BYTES || payloadBytes === undefined) {
    return { ok: false, reason: "malformed token" };
  }
  const valid = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    signatureBytes,
    encoder.encode(`${version}.${keyId}.${payload}`),
  );
  if (!valid) return { ok: false, reason: "bad token signature" };
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(payloadBytes));
  } catch {
    return { ok: false, reason: "malformed token" };
  }
  if (
    typeof claims !== "object" ||
    claims === null ||
    !("room" in claims && "name" in claims && "exp" in claims) ||
    typeof claims.room !== "string" ||
    typeof claims.name !== "string" ||
    typeof claims.exp !== "number"
  ) {
    return { ok: false, reason: "malformed token" };
  }
  if (claims.exp * 1000 <= now) return { ok: false, reason: "expired token" };
  if (claims.room !== room) return { ok: false, reason: "token is for another room" };
  return { ok: true, claims: { room: claims.room, name: claims.name, exp: claims.exp } };
}
