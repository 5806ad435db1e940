/**
 * Secret comparison in constant time (passwords, resume secrets).
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Compares a given secret with the expected one without leaking, through timing, how much
 * of it was right. The expected secret's length is not hidden.
 */
export function secretMatches(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  if (a.byteLength !== b.byteLength) {
    crypto.subtle.timingSafeEqual(b, b);
    return false;
  }
  return crypto.subtle.timingSafeEqual(a, b);
}
