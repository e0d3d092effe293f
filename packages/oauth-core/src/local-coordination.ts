import { KeyedLock } from "./keyed-lock.js";
import { InProcessLeases } from "./lease-table.js";
import type { SharedTokenStore, VersionedRecord, WriteCondition, WriteResult } from "./shared-store.js";
import type { TokenStore } from "./store.js";
import type { TokenData } from "./token.js";

interface Seen {
  json: string | undefined;
  version: number;
}

/**
 * The shared-store contract over a plain get/set/delete store, for one process: leases live in
 * memory, and compare-and-set is a read, a comparison of the whole record and a write under a
 * per-key lock. Versions count the changes this process has seen, so a record changed behind its
 * back (by another process) still fails a compare-and-set, but two processes can interleave between
 * the read and the write: a plain store is safe for one process only.
 */
class LocallyCoordinatedStore extends InProcessLeases {
  readonly #store: TokenStore;
  readonly #lock = new KeyedLock();
  readonly #seen = new Map<string, Seen>();

  constructor(store: TokenStore) {
    super();
    this.#store = store;
  }

  /** Straight from the store: the hot path needs no lock and no version. */
  override get(key: string): Promise<TokenData | undefined> {
    return this.#store.get(key);
  }

  read(key: string): Promise<VersionedRecord> {
    return this.#lock.run(key, () => this.#current(key));
  }

  compareAndSet(key: string, token: TokenData, condition: WriteCondition): Promise<WriteResult> {
    return this.#write(key, condition, () => this.#store.set(key, token), JSON.stringify(token));
  }

  compareAndDelete(key: string, condition: WriteCondition): Promise<WriteResult> {
    return this.#write(key, condition, () => this.#store.delete(key), undefined);
  }

  #write(
    key: string,
    condition: WriteCondition,
    apply: () => Promise<void>,
    json: string | undefined,
  ): Promise<WriteResult> {
    return this.#lock.run(key, async () => {
      // Re-read first: the compare part of compare-and-set, which a plain delete would skip.
      const current = await this.#current(key);
      const refused = this.refusal(key, current.version, condition);
      if (refused) return refused;
      await apply();
      const version = current.version + 1;
      this.#seen.set(key, { json, version });
      return { ok: true, version };
    });
  }

  /** The record, with a version that moves whenever its content differs from what was seen last. */
  async #current(key: string): Promise<VersionedRecord> {
    const token = await this.#store.get(key);
    const json = token === undefined || token === null ? undefined : JSON.stringify(token);
    let seen = this.#seen.get(key) ?? { json: undefined, version: 0 };
    if (seen.json !== json) {
      seen = { json, version: seen.version + 1 };
      this.#seen.set(key, seen);
    }
    return { token: token ?? undefined, version: seen.version };
  }
}

const coordinated = new WeakMap<TokenStore, SharedTokenStore>();

/**
 * The in-process coordination of a plain store. Every client over the same store object shares it,
 * so two clients in one process are as safe as one.
 */
export function coordinateLocally(store: TokenStore): SharedTokenStore {
  let shared = coordinated.get(store);
  if (!shared) {
    shared = new LocallyCoordinatedStore(store);
    coordinated.set(store, shared);
  }
  return shared;
}
