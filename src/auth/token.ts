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

import { checkName, checkRoomName } from "wscomsrv-protocol";
import { fromBase64Url, toBase64Url } from "./base64url.js";

const VERSION = "v1";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** HMAC-SHA256 signs with 32 bytes; a token carries all of them. */
const SIGNATURE_BYTES = 32;

/**
 * The longest a token may live, in seconds: 366 days (31,622,400 s).
 *
 * A token cannot be revoked on its own, only by retiring its signing key, so a leaked token is
 * good until its `exp`. The cap bounds that: a year, plus a day so that a token minted for a
 * year stays valid across a leap day. {@link mintToken} throws for a longer lifetime, and
 * {@link verifyToken} refuses a token whose `exp` is further than this from the relay's clock
 * (a token minted at the full cap on a clock ahead of the relay's is refused until the relay's
 * clock catches up, so mint a little short of it).
 *
 * @example
 * ```ts
 * const ttlSeconds = Math.min(requested, MAX_TOKEN_LIFETIME_SECONDS);
 * const token = await mintToken({ room: "lab", name: "Scope1", ttlSeconds }, key);
 * ```
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 366 * 24 * 60 * 60;

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
 * The outcome of {@link verifyToken}: the claims, or why the token is refused. The reasons, in
 * the order they are checked:
 *
 * - `"malformed token: …"`: not `v1.<keyId>.<payload>.<signature>`, a payload or signature that
 *   is not canonical base64url (padding, other characters, non-zero unused bits), a signature
 *   that is not 32 bytes, and after the signature: a payload that is not JSON, not an object of
 *   exactly `room`, `name` and `exp`, or an `exp` that is not a whole number of seconds;
 * - `"unknown token key"` (checked right after the shape);
 * - `"bad token signature"`;
 * - `"token expires too late: …"`: `exp` more than {@link MAX_TOKEN_LIFETIME_SECONDS} from now;
 * - `"expired token"`;
 * - `"token room is not a valid room name: …"`, with the room rule it breaks;
 * - `"token is for another room"`;
 * - `"token name is not a valid name: …"`, with the name rule it breaks.
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
 * @param claims - The room, the name, and either `exp` (whole seconds since 1970, at most
 *   {@link MAX_TOKEN_LIFETIME_SECONDS} from now; one in the past makes an expired token) or
 *   `ttlSeconds` (whole seconds, at most {@link MAX_TOKEN_LIFETIME_SECONDS}).
 * @param key - The signing key; its id goes into the token.
 * @throws TypeError for a bad room, name, key or expiry (a caller's mistake): an expiry that is
 *   not a whole number of seconds, or further than {@link MAX_TOKEN_LIFETIME_SECONDS} away.
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
  const nowSeconds = Math.floor(Date.now() / 1000);
  const lifetime = "exp" in claims ? claims.exp - nowSeconds : claims.ttlSeconds;
  const exp = "exp" in claims ? claims.exp : nowSeconds + claims.ttlSeconds;
  if (!Number.isInteger(exp) || !Number.isInteger(lifetime) || exp < 0) {
    throw new TypeError("a token's expiry is a whole number of seconds since 1970");
  }
  if (lifetime > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new TypeError(
      `a token lives at most ${MAX_TOKEN_LIFETIME_SECONDS} seconds (366 days), not ${lifetime}`,
    );
  }
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
 * Checks a token's signature (with the key its id names), its payload, expiry, room and name,
 * as the relay does before a socket reaches its room. Never throws.
 *
 * Only the one spelling {@link mintToken} writes is accepted: canonical base64url without
 * padding, a 32-byte signature, a payload of exactly `room`, `name` and `exp`, a valid room
 * name and client name, and an `exp` in whole seconds at most
 * {@link MAX_TOKEN_LIFETIME_SECONDS} after `now`.
 *
 * @param token - The token as the client sent it.
 * @param room - The room the socket asks for.
 * @param keys - Secrets by key id.
 * @param now - The time in milliseconds since 1970. Default: now.
 * @returns The claims, or the reason for the refusal (see {@link TokenCheck}).
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
  if (parts.length !== 4 || parts[0] !== VERSION) {
    return refuse(`malformed token: not ${VERSION}.<keyId>.<payload>.<signature>`);
  }
  const [version, keyId, payload, signature] = parts as [string, string, string, string];
  const secret = keys.get(keyId);
  if (secret === undefined) return refuse("unknown token key");
  const payloadBytes = fromBase64Url(payload);
  if (payloadBytes === undefined) {
    return refuse("malformed token: the payload is not canonical base64url");
  }
  const signatureBytes = fromBase64Url(signature);
  if (signatureBytes?.byteLength !== SIGNATURE_BYTES) {
    return refuse(
      `malformed token: the signature is not canonical base64url of ${SIGNATURE_BYTES} bytes`,
    );
  }
  const valid = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    signatureBytes,
    encoder.encode(`${version}.${keyId}.${payload}`),
  );
  if (!valid) return refuse("bad token signature");
  const claims = decodeClaims(payloadBytes);
  if (typeof claims === "string") return refuse(claims);
  if (claims.exp > now / 1000 + MAX_TOKEN_LIFETIME_SECONDS) {
    return refuse(`token expires too late: more than ${MAX_TOKEN_LIFETIME_SECONDS} s from now`);
  }
  if (claims.exp * 1000 <= now) return refuse("expired token");
  const roomProblem = checkRoomName(claims.room);
  if (roomProblem !== undefined) {
    return refuse(`token room is not a valid room name: ${roomProblem}`);
  }
  if (claims.room !== room) return refuse("token is for another room");
  const nameProblem = checkName(claims.name);
  if (nameProblem !== undefined) return refuse(`token name is not a valid name: ${nameProblem}`);
  return { ok: true, claims };
}

/** A refusal for `reason`. */
function refuse(reason: string): TokenCheck {
  return { ok: false, reason };
}

/** The claims of a signed payload, or why they are malformed. */
function decodeClaims(bytes: Uint8Array<ArrayBuffer>): TokenClaims | string {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    return "malformed token: the payload is not JSON in UTF-8";
  }
  if (
    typeof claims !== "object" ||
    claims === null ||
    Array.isArray(claims) ||
    Object.keys(claims).length !== 3 ||
    !("room" in claims && "name" in claims && "exp" in claims) ||
    typeof claims.room !== "string" ||
    typeof claims.name !== "string" ||
    typeof claims.exp !== "number"
  ) {
    return "malformed token: the payload is not an object of exactly room, name and exp";
  }
  if (!Number.isInteger(claims.exp)) {
    return "malformed token: exp is not a whole number of seconds";
  }
  return { room: claims.room, name: claims.name, exp: claims.exp };
}
