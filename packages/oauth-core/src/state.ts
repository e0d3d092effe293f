import { randomToken } from "./random.js";

/**
 * A CSRF state value: 32 random bytes, base64url, then `.` and `suffix` when one is given (what the
 * provider needs back at the callback; it adds no secrecy and takes none away).
 */
export function createState(suffix?: string): string {
  const state = randomToken(32);
  return suffix && /^[\w.~-]{1,1024}$/.test(suffix) ? `${state}.${suffix}` : state;
}

/**
 * Compares two strings in time that depends only on their lengths, so an attacker probing the
 * callback learns nothing from timing about how much of a guessed state was right.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  // UTF-16 code units, not encoded bytes: an encoder would map distinct lone surrogates to one U+FFFD.
  let diff = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
