import type { TokenData } from "./token.js";

/** Identifies one token slot: a provider, a token type, and an account (or the app itself). */
export interface TokenKey {
  provider: string;
  tokenType: string;
  /** Your id for the connected merchant, or `undefined` for the app's own client-credentials token. */
  account: string | undefined;
}

/**
 * Where tokens live. The core reads and writes whole records by key; it never patches one.
 *
 * Contract every implementation must give (the shared conformance suite `tokenStoreChecks` (`@partner-oauth/core/testing`) checks it):
 * - `set` is atomic per key: a concurrent or later `get` sees either the old record or the new one,
 *   never a mix, never a partial write; and it is durable once its promise resolves (the core hands out
 *   a rotated token only after `set` resolved, so a crash cannot lose the only valid refresh token).
 * - `get` returns a copy: mutating it does not change the stored record.
 * - `get` of a missing key resolves `undefined`; `delete` of a missing key resolves.
 * - Keys are opaque strings; distinct keys never share a record.
 * A plain store is coordinated within one process only (the core keeps its leases and versions in
 * memory): two clients over the same store object are safe, two processes are not once their provider
 * rotates refresh tokens. For several processes use a `SharedTokenStore` (`shared-store.ts`).
 */
export interface TokenStore {
  get(key: string): Promise<TokenData | undefined>;
  set(key: string, token: TokenData): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The store key for a slot. Each part is percent-encoded so no two slots can collide. */
export function storeKey(key: TokenKey): string {
  const account = key.account === undefined ? "@app" : `~${encodeURIComponent(key.account)}`;
  return `${encodeURIComponent(key.provider)}:${encodeURIComponent(key.tokenType)}:${account}`;
}

/** The slot of a store key built by `storeKey`, or `undefined` for a key of another shape. */
export function parseStoreKey(id: string): TokenKey | undefined {
  const parts = id.split(":");
  if (parts.length !== 3) return undefined;
  const [provider, tokenType, account] = parts as [string, string, string];
  try {
    if (account !== "@app" && !account.startsWith("~")) return undefined;
    return {
      provider: decodeURIComponent(provider),
      tokenType: decodeURIComponent(tokenType),
      account: account === "@app" ? undefined : decodeURIComponent(account.slice(1)),
    };
  } catch {
    return undefined;
  }
}
