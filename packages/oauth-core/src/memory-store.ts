import {
  checkDueQuery,
  compareDue,
  type DueGrant,
  type DueIndex,
  type DuePage,
  type DueQuery,
  isAfter,
} from "./due-index.js";
import { InProcessLeases } from "./lease-table.js";
import type { VersionedRecord, WriteCondition, WriteResult } from "./shared-store.js";
import type { TokenData } from "./token.js";

interface Entry {
  /** The record as JSON text, or `undefined` once deleted (the entry stays: its version must not reset). */
  json: string | undefined;
  version: number;
  /** The record's `refreshDueAt`, kept beside it for `listDue`. */
  due: number | undefined;
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
export class MemoryTokenStore extends InProcessLeases implements DueIndex {
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
    return this.#write(key, json, condition, token.refreshDueAt);
  }

  async compareAndDelete(key: string, condition: WriteCondition): Promise<WriteResult> {
    return this.#write(key, undefined, condition, undefined);
  }

  /** Scans every record: fine for the few thousand a test or a single process holds. */
  async listDue(due: DueQuery): Promise<DuePage> {
    const query = checkDueQuery(due);
    const grants: DueGrant[] = [];
    for (const [key, { due: refreshDueAt }] of this.#entries) {
      if (refreshDueAt === undefined || refreshDueAt > query.before || !key.startsWith(query.prefix))
        continue;
      const grant = { key, refreshDueAt };
      if (isAfter(grant, query.after)) grants.push(grant);
    }
    const page = grants.sort(compareDue).slice(0, query.limit);
    return { grants: page, next: grants.length > query.limit ? page.at(-1) : undefined };
  }

  /** How many records are stored (for tests and diagnostics). */
  get size(): number {
    let count = 0;
    for (const entry of this.#entries.values()) if (entry.json !== undefined) count++;
    return count;
  }

  #write(
    key: string,
    json: string | undefined,
    condition: WriteCondition,
    due: number | undefined,
  ): WriteResult {
    const version = this.#entries.get(key)?.version ?? 0;
    const refused = this.refusal(key, version, condition);
    if (refused) return refused;
    this.#entries.set(key, { json, version: version + 1, due });
    return { ok: true, version: version + 1 };
  }
}
