import {
  InvalidGrantError,
  OAuthError,
  ProviderError,
  ReauthorizationRequiredError,
  RefreshPendingError,
  StoreError,
  TokenNotFoundError,
  TokenNotPersistedError,
} from "./errors.js";
import type { RefreshCapability } from "./provider.js";
import type { RequestContext } from "./request-context.js";
import type { SharedTokenStore, VersionedRecord } from "./shared-store.js";
import { storeKey, type TokenKey } from "./store.js";
import { type TokenData, toTokenData } from "./token.js";

/** What a refresh came to. Hooks run on it once the lease is released. */
export type RefreshOutcome =
  | {
      token: TokenData;
      refreshed: boolean;
      /** With `skipIfHeld`: another caller held the lease, so nothing was done. */
      held?: boolean;
    }
  | {
      error: Error;
      /** The grant was removed from the store (the provider rejected the refresh token). */
      grantRemoved: boolean;
      /** A token the provider issued that could not be stored, for `onUnpersistedToken`. */
      unpersisted?: TokenData | undefined;
    };

export interface RefreshCoordinatorOptions {
  store: SharedTokenStore;
  provider: { readonly id: string } & RefreshCapability;
  /** The token clock (expiry), which tests may stop; waits use real time. */
  now: () => number;
  /** Whether a token is within the refresh skew of expiring. */
  expiring: (token: TokenData) => boolean;
  /** Reads a record and checks its shape (a bad record fails with InvalidInputError). */
  read: (key: TokenKey) => Promise<VersionedRecord>;
  /** Runs the provider request under the client's timeout; `signal` aborts it when the lease is lost. */
  call: (signal: AbortSignal, run: (ctx: RequestContext) => Promise<TokenData>) => Promise<TokenData>;
  /** The record as it is written after a refresh (the core sets its `refreshDueAt`). */
  stamp: (record: TokenData) => TokenData;
  leaseTtlMs: number;
  writeBudgetMs: number;
  timeoutMs: number;
}

/** Returned inside the coordinator when a peer changed the record: read again and decide anew. */
const AGAIN = Symbol("again");
type Step = RefreshOutcome | typeof AGAIN;

/** A 429 without `Retry-After` holds refreshes of the key back this long. */
const DEFAULT_HOLD_MS = 1_000;
/** Waiters try to take a lease again this often, so a dead holder is replaced soon after its TTL. */
const LEASE_RETRY_MS = 250;
/** Waiters poll the record's version at most this far apart (jittered), to pick up a peer's write fast. */
const MAX_POLL_MS = 20;

/**
 * Refreshes one key's grant under the rules of a shared store (DESIGN.md, "Many processes, one
 * store"): the lease before any refresh, a re-read after taking it, a re-read before concluding that
 * the grant is dead, a compare-and-set delete instead of a blind one, the write under the lease's
 * fence with nothing awaited between the token response and it, retries of the write while the
 * lease lives, and waiters that watch the record's version. The in-process single flight sits in
 * front of it, so each process sends at most one caller here per key.
 */
export class RefreshCoordinator {
  readonly #o: RefreshCoordinatorOptions;
  /** Store key → when refreshes may be sent again, and the 429 that asked for the wait. */
  readonly #holds = new Map<string, { until: number; error: ProviderError }>();

  constructor(options: RefreshCoordinatorOptions) {
    this.#o = options;
  }

  /**
   * A token for `key` that `want` does not reject: the stored one, a peer's, or a fresh one. Throws
   * for what is no refresh failure (no record, a bad record, the store down, a peer too slow); a
   * refresh that failed comes back as an outcome, so the hooks can see it.
   */
  async refresh(
    key: TokenKey,
    want: (token: TokenData) => boolean,
    options: { skipIfHeld?: boolean } = {},
  ): Promise<RefreshOutcome> {
    const id = storeKey(key);
    const giveUpAt = Date.now() + this.#o.leaseTtlMs + this.#o.timeoutMs + this.#o.writeBudgetMs;
    let seen = await this.#o.read(key);
    let hadRecord = false;
    for (;;) {
      const token = this.#present(seen, key, hadRecord);
      hadRecord = true;
      if (!want(token)) return { token, refreshed: false };
      if (!token.refreshToken) return this.#withoutRefreshToken(token, key);
      this.#checkHold(id);
      if (Date.now() >= giveUpAt) throw this.#pending();
      const owner = crypto.randomUUID();
      const fence = await this.#o.store
        .acquireLease(id, owner, this.#o.leaseTtlMs)
        .catch((error: unknown) => {
          // Unreachable for now: wait as if a peer held the lease, and try again.
          if (options.skipIfHeld || !mayRetry(error) || Date.now() >= giveUpAt) throw error;
          return undefined;
        });
      if (fence === undefined) {
        // A sweep moves on: the holder refreshes this grant, or gives it back for the next sweep.
        if (options.skipIfHeld) return { token, refreshed: false, held: true };
        seen = await this.#waitForChange(key, seen.version, giveUpAt);
        continue;
      }
      let step: Step;
      try {
        step = await this.#refreshHolding(key, id, owner, fence, want);
      } finally {
        // Best effort: an unreleased lease only delays the next holder until its TTL.
        await this.#o.store.releaseLease(id, owner, fence).catch(() => {});
      }
      if (step !== AGAIN) return step;
      seen = await this.#o.read(key);
    }
  }

  async #refreshHolding(
    key: TokenKey,
    id: string,
    owner: string,
    fence: number,
    want: (token: TokenData) => boolean,
  ): Promise<Step> {
    // Rule 5: a peer may have refreshed between our read and our lease.
    const leased = await this.#o.read(key);
    const current = this.#present(leased, key, true);
    if (!want(current)) return { token: current, refreshed: false };
    if (!current.refreshToken) return this.#withoutRefreshToken(current, key);

    const renewal = this.#keepRenewing(id, owner, fence);
    try {
      let ctx: RequestContext | undefined;
      let fresh: TokenData;
      try {
        fresh = await this.#o.call(renewal.lost, (context) => {
          ctx = context;
          context.secrets.push(current.refreshToken as string, current.accessToken);
          return this.#o.provider.refreshToken(current, context);
        });
      } catch (error) {
        // The lease went to a peer mid-request: its result, not ours, is the one to use.
        if (renewal.lost.aborted) return AGAIN;
        return await this.#refreshFailed(
          key,
          id,
          owner,
          leased,
          fence,
          error,
          ctx?.deliveredRefreshToken,
          renewal,
        );
      }
      // Rule 7: nothing awaited between the token response and the write.
      return await this.#persist(key, id, merge(current, fresh), leased.version, fence, renewal);
    } finally {
      renewal.stop();
    }
  }

  async #refreshFailed(
    key: TokenKey,
    id: string,
    owner: string,
    leased: VersionedRecord,
    fence: number,
    error: unknown,
    delivered: string | undefined,
    renewal: Renewal,
  ): Promise<Step> {
    const current = leased.token as TokenData;
    if (error instanceof InvalidGrantError) {
      // Rule 6: a peer that rotated the token makes ours look dead; only an unchanged record is.
      const after = await this.#o.read(key);
      if (after.version !== leased.version) return AGAIN;
      const removed = await this.#o.store.compareAndDelete(id, { version: leased.version, fence });
      if (!removed.ok) return AGAIN;
      const gone = new ReauthorizationRequiredError(
        "the provider rejected the refresh token; connect the account again",
        { ...this.#meta(), account: key.account, cause: error },
      );
      return { error: gone, grantRemoved: true };
    }
    if (delivered !== undefined && delivered !== current.refreshToken) {
      // The answer failed a check after it delivered a new refresh token, which may have killed the
      // stored one: keep the new one (with the access token marked expired, so the next call
      // refreshes with it), then report the failure.
      const salvaged = { ...current, refreshToken: delivered, refreshTokenExpiresAt: undefined };
      salvaged.expiresAt = Math.min(current.expiresAt ?? this.#o.now(), this.#o.now());
      const saved = await this.#persist(key, id, toTokenData(salvaged), leased.version, fence, renewal);
      const unpersisted = saved === AGAIN || "error" in saved ? salvaged : undefined;
      return { error: error as Error, grantRemoved: false, unpersisted };
    }
    // A holder that failed (a timeout after a pause, say) while a peer took over: the peer's token
    // serves, written already or about to be. (A store that fails here must not hide the provider's error.)
    const after = await this.#o.read(key).catch(() => undefined);
    if (after && after.version !== leased.version) return AGAIN;
    const stillOurs = await this.#o.store.renewLease(id, owner, fence, this.#o.leaseTtlMs).catch(() => true);
    if (!stillOurs) return AGAIN;
    if (error instanceof ProviderError && (error.status === 429 || error.retryAfterMs !== undefined)) {
      this.#holds.set(id, { until: Date.now() + (error.retryAfterMs ?? DEFAULT_HOLD_MS), error });
    }
    return { error: error as Error, grantRemoved: false };
  }

  /**
   * Writes the refreshed record under the lease's fence, retrying a failing store while the lease
   * and the write budget last. A refusal is checked against a re-read: the write may have landed
   * before its answer was lost (a dropped connection), or a peer's newer record may be there.
   */
  async #persist(
    key: TokenKey,
    id: string,
    record: TokenData,
    version: number,
    fence: number,
    renewal: Renewal,
  ): Promise<Step> {
    record = this.#o.stamp(record);
    const budgetEnds = Date.now() + this.#o.writeBudgetMs;
    let backoff = 25;
    let lastError: unknown;
    for (;;) {
      try {
        const result = await this.#o.store.compareAndSet(id, record, { version, fence });
        if (result.ok) return { token: record, refreshed: true };
        const after = await this.#o.read(key);
        if (after.token && sameGrant(after.token, record)) return { token: after.token, refreshed: true };
        if (after.token) return AGAIN;
        return {
          error: new TokenNotPersistedError(
            "the refreshed token was not stored: the record was removed meanwhile",
            this.#meta(),
          ),
          grantRemoved: false,
          unpersisted: record,
        };
      } catch (error) {
        lastError = error;
      }
      const deadline = Math.min(budgetEnds, renewal.leaseEnds());
      if (Date.now() + backoff >= deadline || !mayRetry(lastError)) {
        return {
          error: new TokenNotPersistedError("the refreshed token could not be stored", {
            ...this.#meta(),
            cause: lastError,
          }),
          grantRemoved: false,
          unpersisted: record,
        };
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 400);
    }
  }

  /**
   * Renews the lease every third of its TTL while the request and the write run. When the store
   * says the lease is gone, `lost` aborts the request: a peer holds it now, and two refreshes of a
   * single-use token cannot both succeed. A renewal that fails (store unreachable) keeps the request.
   */
  #keepRenewing(id: string, owner: string, fence: number): Renewal {
    const controller = new AbortController();
    let leaseEnds = Date.now() + this.#o.leaseTtlMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      timer = setTimeout(async () => {
        const asked = Date.now();
        try {
          if (await this.#o.store.renewLease(id, owner, fence, this.#o.leaseTtlMs)) {
            leaseEnds = asked + this.#o.leaseTtlMs;
          } else {
            controller.abort();
            return;
          }
        } catch {}
        if (timer !== undefined) schedule();
      }, this.#o.leaseTtlMs / 3);
      unref(timer);
    };
    schedule();
    return {
      lost: controller.signal,
      leaseEnds: () => leaseEnds,
      stop: () => {
        clearTimeout(timer);
        timer = undefined;
      },
    };
  }

  /** Rule 8: waits until the record's version moves, or until it is time to try the lease again. */
  async #waitForChange(key: TokenKey, version: number, giveUpAt: number): Promise<VersionedRecord> {
    const id = storeKey(key);
    const until = Math.min(giveUpAt, Date.now() + LEASE_RETRY_MS);
    let delay = 4;
    const store = this.#o.store;
    for (;;) {
      const pause = delay * (0.5 + Math.random());
      // A store that is told of writes wakes this waiter at once; others are polled.
      await (store.waitForChange
        ? store.waitForChange(id, version, pause).catch(() => sleep(pause))
        : sleep(pause));
      try {
        const now = await this.#o.read(key);
        if (now.version !== version || Date.now() >= until) return now;
      } catch (error) {
        // A store that blinks (a restart, a dropped connection) must not fail every waiter at once.
        if (!mayRetry(error) || Date.now() >= giveUpAt) throw error;
      }
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
  }

  /** The record's token; a record that disappeared while this caller waited means reconnecting. */
  #present(record: VersionedRecord, key: TokenKey, hadRecord: boolean): TokenData {
    if (record.token) return record.token;
    if (!hadRecord)
      throw new TokenNotFoundError(`no ${key.tokenType} token stored for this account`, this.#meta());
    throw new ReauthorizationRequiredError("the grant was removed while this call waited for its refresh", {
      ...this.#meta(),
      account: key.account,
    });
  }

  /** Nothing to refresh with: like a provider without refresh, hand the token out while it lives. */
  #withoutRefreshToken(token: TokenData, key: TokenKey): RefreshOutcome {
    if (token.expiresAt === undefined || token.expiresAt > this.#o.now()) return { token, refreshed: false };
    throw new ReauthorizationRequiredError("token expired and no refresh token is stored", {
      ...this.#meta(),
      account: key.account,
    });
  }

  /** A 429 answered for this key holds further refreshes back until its Retry-After has passed. */
  #checkHold(id: string): void {
    const hold = this.#holds.get(id);
    if (!hold) return;
    const waitMs = hold.until - Date.now();
    if (waitMs <= 0) {
      this.#holds.delete(id);
      return;
    }
    throw new ProviderError({
      ...this.#meta(),
      status: hold.error.status,
      code: hold.error.code,
      providerCode: hold.error.providerCode,
      description: "refresh held back until the provider's Retry-After has passed",
      retryAfterMs: waitMs,
    });
  }

  #pending(): RefreshPendingError {
    return new RefreshPendingError(
      "another process is refreshing this grant and did not finish in time; retry",
      this.#meta(),
    );
  }

  #meta() {
    return { provider: this.#o.provider.id, operation: "refresh" as const };
  }
}

interface Renewal {
  /** Aborts when the store says the lease is no longer ours. */
  lost: AbortSignal;
  /** Until when the lease is known to be ours (epoch ms, local clock). */
  leaseEnds(): number;
  stop(): void;
}

/**
 * The stored record after a refresh: a response without a refresh token (or an empty one) keeps the
 * old one; a rotated one replaces it.
 */
function merge(current: TokenData, fresh: TokenData): TokenData {
  return toTokenData({
    ...fresh,
    refreshToken: fresh.refreshToken || current.refreshToken,
    refreshTokenExpiresAt: fresh.refreshToken ? fresh.refreshTokenExpiresAt : current.refreshTokenExpiresAt,
    subject: fresh.subject ?? current.subject,
    grantedAt: current.grantedAt,
    scopes: fresh.scopes.length > 0 ? fresh.scopes : current.scopes,
  });
}

/** A store failure worth another try: ours when it says so, anything else a store of yours threw. */
function mayRetry(error: unknown): boolean {
  if (error instanceof StoreError) return error.retryable;
  return !(error instanceof OAuthError);
}

function sameGrant(a: TokenData, b: TokenData): boolean {
  return a.accessToken === b.accessToken && a.refreshToken === b.refreshToken;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A background timer must not keep a process alive (Node and Bun have `unref`; others need none). */
function unref(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}
