/**
 * base64url without padding (RFC 4648 §5), for tokens and secrets.
 *
 * @module
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** Encodes bytes as base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Decodes canonical base64url: no padding, no other characters, and the unused low bits of the
 * last character zero, so that each byte string has exactly one spelling (what
 * {@link toBase64Url} writes). `undefined` for anything else.
 */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!ALPHABET.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  // atob ignores the unused bits of a last character; spelled any other way, they were not zero.
  return toBase64Url(bytes) === text ? bytes : undefined;
}

/** `bytes` random bytes as base64url. */
export function randomBase64Url(bytes: number): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}
