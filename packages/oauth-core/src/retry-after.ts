/** The longest wait a `Retry-After` may ask for before it is taken as garbage: one day. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * A `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) in ms from `now`, or
 * `undefined` when absent or unreadable. A date in the past means 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
