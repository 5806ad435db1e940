/**
 * Password comparison in constant time.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Compares a given password with the expected one without leaking, through timing, how much
 * of it was right. The expected password's length is not hidden.
 */
export function passwordMatches(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  if (a.byteLength !== b.byteLength) {
    crypto.subtle.timingSafeEqual(b, b);
    return false;
  }
  return crypto.subtle.timingSafeEqual(a, b);
}
