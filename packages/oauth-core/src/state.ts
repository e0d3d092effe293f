import { randomToken } from "./random.js";

/** A CSRF state value: 32 random bytes, base64url. */
export function createState(): string {
  return randomToken(32);
}

/**
 * Compares two strings in time that depends only on their lengths, so an attacker probing the
 * callback learns nothing from timing about how much of a guessed state was right.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}
