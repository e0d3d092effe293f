import type { DueCursor, DueGrant, DueIndex } from "./due-index.js";
import {
  InvalidInputError,
  NetworkError,
  ProviderError,
  ReauthorizationRequiredError,
  StoreError,
  TimeoutError,
  TokenNotFoundError,
  TokenNotPersistedError,
} from "./errors.js";
import { parseStoreKey, type TokenKey } from "./store.js";

export interface SweepOptions {
  /** Refresh the grants due at or before this instant (epoch ms). Default: now. */
  before?: number | undefined;
  /** At most this many grants per sweep. Default 1,000. */
  limit?: number | undefined;
  /** At most this many refreshes at once. Default 4. */
  concurrency?: number | undefined;
  /** At most this many refreshes started per second, for this provider. Default 10; `Infinity` for none. */
  maxPerSecond?: number | undefined;
  /**
   * The longest `Retry-After` (ms) the sweep waits out before going on; a longer one, or a provider
   * that failed three times in a row, stops the sweep. Default 60 s.
   */
  maxBackoffMs?: number | undefined;
  /** Stops starting refreshes; those in flight finish (a single-use refresh cut off can lose the grant). */
  signal?: AbortSignal | undefined;
}

/** One grant the sweep looked at. */
export interface SweptGrant {
  account: string | undefined;
  tokenType: string;
  /** When it was due, as listed by the store. */
  refreshDueAt: number;
}

export type SweepStop =
  | { reason: "cancelled" }
  /** The provider asked for a pause longer than `maxBackoffMs`. */
  | { reason: "rate_limited"; retryAfterMs: number; error: Error }
  /** Three refreshes in a row failed to reach the provider or got a 5xx. */
  | { reason: "provider_unavailable"; error: Error }
  /** The store failed: nothing was deleted; run the sweep again once it is back. */
  | { reason: "store_failed"; error: Error };

export interface SweepReport {
  refreshed: SweptGrant[];
  /** Not refreshed, and nothing wrong: another caller refreshed it first, holds it now, or removed it. */
  skipped: (SweptGrant & { reason: "not_due" | "held" | "gone" })[];
  /** The provider rejected the refresh token: the grant was removed, the merchant must connect again. */
  dead: (SweptGrant & { error: ReauthorizationRequiredError })[];
  /** The refresh failed and the grant stays as it was, for the next sweep. */
  failed: (SweptGrant & { error: Error })[];
  /** How often the sweep paused for the provider's `Retry-After`. */
  backoffs: number;
  /** More grants were due than `limit`. */
  more: boolean;
  /** Why the sweep ended before it went through every due grant. */
  stopped?: SweepStop | undefined;
}

/** What a sweep needs of the client: its store's index and a refresh of one due grant. */
export interface SweepTarget {
  index: DueIndex;
  /** Store keys of this client's provider start with it. */
  prefix: string;
  now: () => number;
  /** Refreshes the grant if it is still due at `before`, under its lease; never waits for a holder. */
  refreshIfDue(key: TokenKey, before: number): Promise<"refreshed" | "not_due" | "held">;
  /**
   * Store keys of the grants whose refresh failed in this client's earlier sweeps; the sweep keeps it
   * current. They are refreshed last: a few grants the provider keeps failing sit at the head of the
   * due list and would stop every sweep (three failures in a row) before it reached the others.
   */
  failing: Set<string>;
}

const PAGE_SIZE = 100;
const UNAVAILABLE_IN_A_ROW = 3;

/**
 * Refreshes the grants due before `options.before`, earliest first, each under its lease with every
 * rule of the shared-store contract: a grant another caller refreshed meanwhile is no longer due and
 * is skipped, one whose lease is held is skipped, so several processes can sweep at once without a
 * double refresh. Failures are reported per grant; the sweep itself rejects only for bad options.
 */
export async function sweep(target: SweepTarget, options: SweepOptions = {}): Promise<SweepReport> {
  const settings = checkSweepOptions(options, target.now);
  const report: SweepReport = { refreshed: [], skipped: [], dead: [], failed: [], backoffs: 0, more: false };
  const inFlight = new Set<Promise<void>>();
  const pacer = new Pacer(settings.maxPerSecond);
  let pauseUntil = 0;
  let unavailableInARow = 0;
  const stop = (why: SweepStop) => {
    report.stopped ??= why;
  };

  const refreshOne = async (grant: DueGrant, key: TokenKey) => {
    const swept: SweptGrant = {
      account: key.account,
      tokenType: key.tokenType,
      refreshDueAt: grant.refreshDueAt,
    };
    target.failing.delete(grant.key);
    try {
      const done = await target.refreshIfDue(key, settings.before);
      unavailableInARow = 0;
      if (done === "refreshed") report.refreshed.push(swept);
      else report.skipped.push({ ...swept, reason: done });
    } catch (error) {
      if (error instanceof TokenNotFoundError) return void report.skipped.push({ ...swept, reason: "gone" });
      if (error instanceof ReauthorizationRequiredError) return void report.dead.push({ ...swept, error });
      const failure = asError(error);
      report.failed.push({ ...swept, error: failure });
      target.failing.add(grant.key);
      if (error instanceof StoreError || error instanceof TokenNotPersistedError) {
        stop({ reason: "store_failed", error: failure });
      } else if (
        error instanceof ProviderError &&
        (error.status === 429 || error.retryAfterMs !== undefined)
      ) {
        const waitMs = error.retryAfterMs ?? 1_000;
        if (waitMs > settings.maxBackoffMs)
          stop({ reason: "rate_limited", retryAfterMs: waitMs, error: failure });
        else {
          report.backoffs++;
          pauseUntil = Math.max(pauseUntil, Date.now() + waitMs);
        }
      } else if (unavailable(error) && ++unavailableInARow >= UNAVAILABLE_IN_A_ROW) {
        stop({ reason: "provider_unavailable", error: failure });
      }
    }
  };

  let started = 0;
  /** Starts one refresh when concurrency, pauses and pacing allow; `false` once the sweep stopped. */
  const start = async (grant: DueGrant, key: TokenKey): Promise<boolean> => {
    while (inFlight.size >= settings.concurrency) await Promise.race(inFlight);
    if (settings.signal?.aborted) stop({ reason: "cancelled" });
    if (report.stopped) return false;
    if (pauseUntil > Date.now()) await pause(pauseUntil - Date.now(), settings.signal);
    await pacer.next(settings.signal);
    if (settings.signal?.aborted) stop({ reason: "cancelled" });
    if (report.stopped) return false;
    const task = refreshOne(grant, key).finally(() => inFlight.delete(task));
    inFlight.add(task);
    started++;
    return true;
  };

  // Grants that failed in an earlier sweep wait until the others had their turn.
  const deferred: [DueGrant, TokenKey][] = [];
  const listed = new Set<string>();
  let reachedEnd = false;
  let cursor: DueCursor | undefined;
  pages: for (;;) {
    let page: Awaited<ReturnType<DueIndex["listDue"]>>;
    try {
      page = await target.index.listDue({
        prefix: target.prefix,
        before: settings.before,
        limit: Math.min(PAGE_SIZE, settings.limit - started + 1),
        after: cursor,
      });
    } catch (error) {
      stop({ reason: "store_failed", error: asError(error) });
      break;
    }
    for (const grant of page.grants) {
      if (started >= settings.limit) {
        report.more = true;
        break pages;
      }
      const key = parseStoreKey(grant.key);
      if (key === undefined || !grant.key.startsWith(target.prefix)) continue;
      listed.add(grant.key);
      if (target.failing.has(grant.key)) deferred.push([grant, key]);
      else if (!(await start(grant, key))) break pages;
    }
    if (page.next === undefined) {
      reachedEnd = true;
      break;
    }
    cursor = page.next;
  }
  for (const [grant, key] of deferred) {
    if (report.stopped || report.more) break;
    if (started >= settings.limit) report.more = true;
    else if (!(await start(grant, key))) break;
  }
  await Promise.all(inFlight);
  // After a full pass, forget failures of grants no longer due (refreshed elsewhere, or removed).
  if (reachedEnd && !report.stopped && !report.more) {
    for (const key of target.failing) if (!listed.has(key)) target.failing.delete(key);
  }
  return report;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Failures that say the provider is out of reach or broken, not that this grant is. */
function unavailable(error: unknown): boolean {
  if (error instanceof NetworkError || error instanceof TimeoutError) return true;
  return error instanceof ProviderError && error.status !== undefined && error.status >= 500;
}

function checkSweepOptions(options: SweepOptions, now: () => number) {
  const bad = (what: string) => new InvalidInputError(`sweep: ${what}`, { operation: "sweep" });
  if (typeof options !== "object" || options === null) throw bad("options must be an object");
  const before = options.before ?? now();
  if (!Number.isFinite(before)) throw bad("before must be a finite epoch-ms number");
  const whole = (value: number | undefined, fallback: number, name: string) => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < 1) throw bad(`${name} must be a positive integer`);
    return value;
  };
  const maxPerSecond = options.maxPerSecond ?? 10;
  if (typeof maxPerSecond !== "number" || !(maxPerSecond > 0)) throw bad("maxPerSecond must be > 0");
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  if (!Number.isFinite(maxBackoffMs) || maxBackoffMs < 0)
    throw bad("maxBackoffMs must be a finite number >= 0");
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw bad("signal must be an AbortSignal");
  }
  return {
    before,
    limit: whole(options.limit, 1_000, "limit"),
    concurrency: whole(options.concurrency, 4, "concurrency"),
    maxPerSecond,
    maxBackoffMs,
    signal: options.signal,
  };
}

/** Spaces the starts of refreshes `1 / maxPerSecond` apart. */
class Pacer {
  readonly #gapMs: number;
  #nextAt = 0;

  constructor(maxPerSecond: number) {
    this.#gapMs = 1_000 / maxPerSecond;
  }

  async next(signal: AbortSignal | undefined): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.#nextAt);
    this.#nextAt = at + this.#gapMs;
    if (at > now) await pause(at - now, signal);
  }
}

/** Sleeps `ms`, or less when the signal aborts (the caller then sees it aborted). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
