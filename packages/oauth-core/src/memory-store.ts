import { InProcessLeases } from "./lease-table.js";
import type { VersionedRecord, WriteCondition, WriteResult } from "./shared-store.js";
import type { TokenData } from "./token.js";

interface Entry {
  /** The record as JSON text, or `undefined` once deleted (the entry stays: its version must not reset). */
  json: string | undefined;
  version: number;
}

export interface MemoryTokenStoreOptions {
  /** Monotonic ms clock for lease expiry; injectable for tests. Default `performance.now`. */
  now?: (() => number) | undefined;
}

/**
 * An in-process store with the whole shared-store contract: versioned records, compare-and-set and
 * leases with fences, so several clients in one process coordinate like processes over PostgreSQL.
 * Records are kept as JSON text, like most real stores keep them: every read is a fresh copy no
 * caller can use to change a stored token, and a record that cannot be serialized fails at the
 * write, leaving the old one intact. Everything is lost when the process exits.
 */
export class MemoryTokenStore extends InProcessLeases {
  readonly #entries = new Map<string, Entry>();

  constructor(options: MemoryTokenStoreOptions = {}) {
    super(options.now);
  }

  async read(key: string): Promise<VersionedRecord> {
    const entry = this.#entries.get(key);
    const json = entry?.json;
    return {
      token: json === undefined ? undefined : (JSON.parse(json) as TokenData),
      version: entry?.version ?? 0,
    };
  }

  async compareAndSet(key: string, token: TokenData, condition: WriteCondition): Promise<WriteResult> {
    const json = JSON.stringify(token); // before any check: a record that cannot be stored changes nothing
    return this.#write(key, json, condition);
  }

  async compareAndDelete(key: string, condition: WriteCondition): Promise<WriteResult> {
    return this.#write(key, undefined, condition);
  }

  /** How many records are stored (for tests and diagnostics). */
  get size(): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (entry.json !== undefined) count++;
    return count;
  }

  #write(key: string, json: string | undefined, condition: WriteCondition): WriteResult {
    const version = this.#entries.get(key)?.version ?? 0;
    const refused = this.refusal(key, version, condition);
    if (refused) return refused;
    this.#entries.set(key, { json, version: version + 1 });
    return { ok: true, version: version + 1 };
  }
}
