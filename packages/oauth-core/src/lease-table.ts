interface Lease {
  owner: string;
  fence: number;
  until: number;
}

/**
 * Per-key leases with growing fences, kept in this process: the lease half of the shared-store
 * contract for `MemoryTokenStore` and for plain stores coordinated in-process. Fences are never
 * forgotten, so a fence stays larger than every one granted before for its key.
 */
export class LeaseTable {
  readonly #leases = new Map<string, Lease>();
  readonly #fences = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  acquire(key: string, owner: string, ttlMs: number): number | undefined {
    const held = this.#leases.get(key);
    if (held && held.until > this.#now()) return undefined;
    const fence = this.newestFence(key) + 1;
    this.#fences.set(key, fence);
    this.#leases.set(key, { owner, fence, until: this.#now() + ttlMs });
    return fence;
  }

  renew(key: string, owner: string, fence: number, ttlMs: number): boolean {
    const held = this.#holding(key, owner, fence);
    if (!held) return false;
    held.until = this.#now() + ttlMs;
    return true;
  }

  release(key: string, owner: string, fence: number): void {
    if (this.#holding(key, owner, fence)) this.#leases.delete(key);
  }

  /** The newest fence granted for the key (0 when none was). */
  newestFence(key: string): number {
    return this.#fences.get(key) ?? 0;
  }

  /** Whether a write under `fence` may land: no newer fence was granted. */
  admits(key: string, fence: number | undefined): boolean {
    return fence === undefined || fence >= this.newestFence(key);
  }

  #holding(key: string, owner: string, fence: number): Lease | undefined {
    const held = this.#leases.get(key);
    return held && held.owner === owner && held.fence === fence && held.until > this.#now()
      ? held
      : undefined;
  }
}
