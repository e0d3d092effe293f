import { InvalidInputError, RefreshPendingError } from "./errors.js";
import type { SharedTokenStore } from "./shared-store.js";
import { storeKey, type TokenKey } from "./store.js";
import { isTokenData } from "./token.js";

/**
 * A provider's notice that a merchant's grant is gone (Braintree's `oauth_access_revoked`, Square's
 * `oauth.authorization.revoked`), as the provider package's verifier returns it. Only pass notices
 * that verified: applying one removes the grant.
 */
export interface RevocationNotice {
  /** The provider adapter's id (`braintree`, `square`). */
  provider: string;
  /** The provider's id of the merchant whose grant was revoked. */
  merchantId: string;
  /** When the provider says it was revoked (epoch ms), if it says. */
  revokedAt?: number | undefined;
}

export interface ApplyRevocationOptions {
  /**
   * Your account id for the provider's merchant id, or `undefined` when you have none (the notice is
   * then acknowledged and nothing is removed).
   */
  account: (merchantId: string) => string | undefined | Promise<string | undefined>;
  /** The token slot to remove; defaults to the provider's code-flow token type. */
  tokenType?: string | undefined;
  /**
   * How long to wait for a refresh in progress to release the account's lease before giving up with
   * a retryable `RefreshPendingError` (the provider retries the notice). Default 30 s.
   */
  waitMs?: number | undefined;
}

/** What applying a notice did. */
export interface RevocationOutcome {
  /** Your account id, or `undefined` when the callback knew no account for the merchant. */
  account: string | undefined;
  /**
   * Whether a grant was removed. `false` when there was none (a second delivery of the same notice),
   * when the stored grant belongs to another merchant, or when a new grant replaced it meanwhile.
   */
  removed: boolean;
}

/** The facade method (`client.ts`). */
export interface RevocationMethods {
  /**
   * Applies a verified revocation notice: maps the merchant to your account, removes its grant with a
   * compare-and-set delete under the account's lease, then calls `onTokenUpdate` with reason
   * `provider_revoked`. Idempotent: a notice delivered twice removes nothing the second time.
   */
  applyRevocation(notice: RevocationNotice, options: ApplyRevocationOptions): Promise<RevocationOutcome>;
}

export interface RevocationContext {
  store: SharedTokenStore;
  provider: { readonly id: string; readonly codeFlowTokenType: string };
  /** Runs after a removal: the client's `onTokenUpdate`. */
  removed: (key: TokenKey) => Promise<void>;
}

const DEFAULT_WAIT_MS = 30_000;
/** The lease covers one read and one delete; a holder that dies frees the key this soon. */
const LEASE_TTL_MS = 10_000;
const POLL_MS = 50;
/**
 * How much later than a notice's `revokedAt` a grant must have been obtained to count as a newer one:
 * providers stamp notices in whole seconds (Braintree), by their own clock, not ours.
 */
const REVOKED_AT_TOLERANCE_MS = 60_000;

/**
 * The core's machinery for revocation notices. An adapter whose provider sends them (Braintree,
 * Square) hands it to the facade as its `revocationNotices` field, which gives the facade
 * `applyRevocation`; programs over other providers do not carry it.
 */
export const revocationNotices = Object.freeze({ applyRevocation });

export type RevocationNotices = typeof revocationNotices;

/** Removes the grant a verified notice revokes (see `RevocationMethods.applyRevocation`). */
export async function applyRevocation(
  context: RevocationContext,
  notice: RevocationNotice,
  options: ApplyRevocationOptions,
): Promise<RevocationOutcome> {
  const meta = { provider: context.provider.id, operation: "webhook" as const };
  if (notice?.provider !== context.provider.id) {
    throw new InvalidInputError("the notice is for another provider than this client's", meta);
  }
  if (typeof notice.merchantId !== "string" || notice.merchantId.length === 0) {
    throw new InvalidInputError("the notice names no merchant", meta);
  }
  if (typeof options?.account !== "function") {
    throw new InvalidInputError("options.account must map the merchant id to your account id", meta);
  }
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  if (!Number.isFinite(waitMs) || waitMs < 0) {
    throw new InvalidInputError("waitMs must be a finite number >= 0", meta);
  }
  const account = await options.account(notice.merchantId);
  if (account === undefined) return { account: undefined, removed: false };
  if (typeof account !== "string" || account.length === 0 || account.length > 512) {
    throw new InvalidInputError("account must be a non-empty string of at most 512 characters", meta);
  }
  const key: TokenKey = {
    provider: context.provider.id,
    tokenType: options.tokenType ?? context.provider.codeFlowTokenType,
    account,
  };
  const id = storeKey(key);
  const { store } = context;

  // The lease keeps a refresh of this grant from writing between our read and our delete; a refresh
  // in progress holds it, so wait for it to finish (a revoked grant's refresh fails fast).
  const owner = crypto.randomUUID();
  const giveUpAt = Date.now() + waitMs;
  let fence = await store.acquireLease(id, owner, LEASE_TTL_MS);
  while (fence === undefined) {
    if (Date.now() >= giveUpAt) {
      throw new RefreshPendingError(
        "a refresh of this grant holds its lease; deliver the notice again later",
        meta,
      );
    }
    await sleep(POLL_MS / 2 + Math.random() * POLL_MS);
    fence = await store.acquireLease(id, owner, LEASE_TTL_MS);
  }
  let removed = false;
  try {
    const record = await store.read(id);
    const token = isTokenData(record.token) ? record.token : undefined;
    // A grant stored for another merchant (the app's mapping is stale, the account reconnected
    // elsewhere) is not the one revoked, nor is one obtained well after the revocation (a notice
    // delivered again after the merchant reconnected).
    const sameMerchant = token?.subject === undefined || token.subject === notice.merchantId;
    const earlierGrant =
      notice.revokedAt !== undefined &&
      token?.grantedAt !== undefined &&
      notice.revokedAt < token.grantedAt - REVOKED_AT_TOLERANCE_MS;
    if (token && sameMerchant && !earlierGrant) {
      // Only the record read: a reconnect that wrote a new grant since keeps it.
      const result = await store.compareAndDelete(id, { version: record.version, fence });
      removed = result.ok;
    }
  } finally {
    await store.releaseLease(id, owner, fence).catch(() => {});
  }
  if (removed) await context.removed(key);
  return { account, removed };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
