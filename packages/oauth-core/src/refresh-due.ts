import type { TokenData } from "./token.js";

const DAY_MS = 86_400_000;
/** At most this long before a refresh token dies is its grant due: a daily sweep has six chances. */
export const MAX_KEEP_ALIVE_MARGIN_MS = 7 * DAY_MS;

/**
 * When a record's grant must next be refreshed to stay alive: a margin before its refresh token
 * dies, whichever comes first of the provider's `refreshTokenExpiresAt` and `now + lifetimeMs` (the
 * documented life of a refresh token from its issue or last use). The margin is a quarter of what is
 * left, at most seven days: TrueLayer's 30-day window falls due on day 23, Braintree's 180 days on
 * day 173. `undefined` when the refresh token does not die, or there is none.
 */
export function refreshDueAt(
  record: TokenData,
  now: number,
  lifetimeMs: number | undefined,
): number | undefined {
  if (!record.refreshToken) return undefined;
  let dies = Number.POSITIVE_INFINITY;
  if (record.refreshTokenExpiresAt !== undefined && Number.isFinite(record.refreshTokenExpiresAt))
    dies = record.refreshTokenExpiresAt;
  if (lifetimeMs !== undefined) dies = Math.min(dies, now + lifetimeMs);
  if (dies === Number.POSITIVE_INFINITY) return undefined;
  const margin = Math.min(MAX_KEEP_ALIVE_MARGIN_MS, Math.max(0, dies - now) / 4);
  return Math.floor(dies - margin);
}

/** The record with its `refreshDueAt` set for a write made at `now` (removed when nothing is due). */
export function withRefreshDue(record: TokenData, now: number, lifetimeMs: number | undefined): TokenData {
  const due = refreshDueAt(record, now, lifetimeMs);
  const { refreshDueAt: _previous, ...rest } = record;
  return due === undefined ? rest : { ...rest, refreshDueAt: due };
}
