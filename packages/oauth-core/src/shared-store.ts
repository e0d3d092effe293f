import type { TokenStore } from "./store.js";
import type { TokenData } from "./token.js";

/** A key's record and its version, read in one go. */
export interface VersionedRecord {
  /** The stored token, or `undefined` when the key holds none (never written, or deleted). */
  token: TokenData | undefined;
  /**
   * Grows with every write and every delete of the key, and is never reused: a deleted key keeps its
   * version (a tombstone), so a writer that read an older record can never match a newer one. `0`
   * means the key was never written.
   */
  version: number;
}

/** What a compare-and-set write or delete requires of the stored record. */
export interface WriteCondition {
  /** The version the caller read. Omit for an unconditional write (a new grant from a code exchange). */
  version?: number | undefined;
  /**
   * The fence of the lease the write is made under. The store refuses the write when a newer fence
   * has been granted for the key since (a holder paused past its lease cannot overwrite the next
   * holder's work). Omit for writes made without a lease.
   */
  fence?: number | undefined;
}

/** The outcome of a compare-and-set. A refused write changed nothing. */
export type WriteResult = { ok: true; version: number } | { ok: false; conflict: "version" | "fence" };

/**
 * A token store several processes can share safely: versioned records, compare-and-set writes and
 * deletes, and a per-key lease whose fence grows with every grant. The core refreshes rotating and
 * single-use refresh tokens only while holding the key's lease, and writes the result under its
 * fence, so one refresh happens per key across every process and a stale writer is always refused.
 *
 * Contract (checked by `sharedTokenStoreChecks` in `@partner-oauth/core/testing`):
 * - every method is atomic per key; `version` grows by at least 1 on every successful write or
 *   delete (including `set` and `delete`) and survives deletes;
 * - `compareAndSet` / `compareAndDelete` succeed only when `condition.version` (if given) equals the
 *   current version and `condition.fence` (if given) is not older than the newest fence granted;
 * - `acquireLease` grants the lease only when nobody holds an unexpired one, and then returns a fence
 *   greater than every fence granted before for the key (deletes included); expiry is judged by one
 *   clock (the store's own, for a database);
 * - `renewLease` and `releaseLease` act only while `owner` and `fence` still hold the lease;
 * - a failure to reach the store rejects (never resolves as a refusal) and leaves no partial write;
 * - it is durable: a write, a delete and a fence grant survive a restart of the store once their
 *   promise resolved (a store that forgets fences can hand a stale holder a winning fence again).
 * TTLs are whole milliseconds.
 */
export interface SharedTokenStore extends TokenStore {
  read(key: string): Promise<VersionedRecord>;
  compareAndSet(key: string, token: TokenData, condition: WriteCondition): Promise<WriteResult>;
  compareAndDelete(key: string, condition: WriteCondition): Promise<WriteResult>;
  /** Takes the key's lease for `ttlMs` when it is free or expired: the new fence, or `undefined` when held. */
  acquireLease(key: string, owner: string, ttlMs: number): Promise<number | undefined>;
  /** Extends the lease by `ttlMs` from now; `false` when `owner`/`fence` no longer hold it. */
  renewLease(key: string, owner: string, fence: number, ttlMs: number): Promise<boolean>;
  /** Frees the lease if `owner`/`fence` still hold it; otherwise does nothing. */
  releaseLease(key: string, owner: string, fence: number): Promise<void>;
  /**
   * Optional: resolves as soon as the key's record may have changed from `version` (a store told of
   * writes, as Redis is by pub/sub), and after `timeoutMs` at the latest. Waiters read the record
   * again either way, so a missed or a spurious wake-up costs one poll, never a wrong answer.
   */
  waitForChange?(key: string, version: number, timeoutMs: number): Promise<void>;
}

/**
 * A shared store's `get`, `set` and `delete` in terms of its versioned operations: a read without the
 * version, an unconditional compare-and-set, an unconditional compare-and-delete (each moves the
 * version, as the contract requires). Extend it and implement the six shared operations.
 */
export abstract class SharedTokenStoreBase implements SharedTokenStore {
  async get(key: string): Promise<TokenData | undefined> {
    return (await this.read(key)).token;
  }

  async set(key: string, token: TokenData): Promise<void> {
    await this.compareAndSet(key, token, {});
  }

  async delete(key: string): Promise<void> {
    await this.compareAndDelete(key, {});
  }

  abstract read(key: string): Promise<VersionedRecord>;
  abstract compareAndSet(key: string, token: TokenData, condition: WriteCondition): Promise<WriteResult>;
  abstract compareAndDelete(key: string, condition: WriteCondition): Promise<WriteResult>;
  abstract acquireLease(key: string, owner: string, ttlMs: number): Promise<number | undefined>;
  abstract renewLease(key: string, owner: string, fence: number, ttlMs: number): Promise<boolean>;
  abstract releaseLease(key: string, owner: string, fence: number): Promise<void>;
  /** See `SharedTokenStore.waitForChange`; a store without it is polled. */
  waitForChange?(key: string, version: number, timeoutMs: number): Promise<void>;
}

const SHARED_METHODS = [
  "read",
  "compareAndSet",
  "compareAndDelete",
  "acquireLease",
  "renewLease",
  "releaseLease",
] as const;

/** Whether a store implements the whole shared contract (otherwise the core coordinates in-process only). */
export function isSharedTokenStore(store: TokenStore): store is SharedTokenStore {
  const methods = store as unknown as Record<string, unknown>;
  return SHARED_METHODS.every((method) => typeof methods[method] === "function");
}
