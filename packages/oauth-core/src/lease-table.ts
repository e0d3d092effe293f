import { SharedTokenStoreBase, type WriteCondition, type WriteResult } from "./shared-store.js";

interface Lease {
  owner: string;
  fence: number;
  until: number;
}

/**
 * The lease half of the shared-store contract, kept in this process: per-key leases with growing
 * fences, for `MemoryTokenStore` and for plain stores coordinated in-process. Fences are never
 * forgotten, so a fence stays larger than every one granted before for its key.
 */
export abstract class InProcessLeases extends SharedTokenStoreBase {
  readonly #leases = new Map<string, Lease>();
  readonly #fences = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    super();
    this.#now = now;
  }

  async acquireLease(key: string, owner: string, ttlMs: number): Promise<number | undefined> {
    const held = this.#leases.get(key);
    if (held && held.until > this.#now()) return undefined;
    const fence = (this.#fences.get(key) ?? 0) + 1;
    this.#fences.set(key, fence);
    this.#leases.set(key, { owner, fence, until: this.#now() + ttlMs });
    return fence;
  }

  async renewLease(key: string, owner: string, fence: number, ttlMs: number): Promise<boolean> {
    const held = this.#holding(key, owner, fence);
    if (held) held.until = this.#now() + ttlMs;
    return held !== undefined;
  }

  async releaseLease(key: string, owner: string, fence: number): Promise<void> {
    if (this.#holding(key, owner, fence)) this.#leases.delete(key);
  }

  /**
   * The compare part of a compare-and-set on a record at `version`: the refusal when the condition's
   * version differs or a newer fence was granted since the condition's, else `undefined`.
   */
  protected refusal(key: string, version: number, condition: WriteCondition): WriteResult | undefined {
    if (condition.version !== undefined && condition.version !== version)
      return { ok: false, conflict: "version" };
    if (condition.fence !== undefined && condition.fence < (this.#fences.get(key) ?? 0))
      return { ok: false, conflict: "fence" };
    return undefined;
  }

  #holding(key: string, owner: string, fence: number): Lease | undefined {
    const held = this.#leases.get(key);
    return held && held.owner === owner && held.fence === fence && held.until > this.#now()
      ? held
      : undefined;
  }
}
