import type { TokenStore } from "./store.js";
import type { TokenData } from "./token.js";

/**
 * An in-process store. Records are kept as JSON text, like most real stores keep them: every read is
 * a fresh copy no caller can use to change a stored token, and a record that cannot be serialized
 * fails at `set`, leaving the old one intact.
 */
export class MemoryTokenStore implements TokenStore {
  readonly #records = new Map<string, string>();

  async get(key: string): Promise<TokenData | undefined> {
    const record = this.#records.get(key);
    return record === undefined ? undefined : (JSON.parse(record) as TokenData);
  }

  async set(key: string, token: TokenData): Promise<void> {
    this.#records.set(key, JSON.stringify(token));
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(key);
  }

  /** How many records are stored (for tests and diagnostics). */
  get size(): number {
    return this.#records.size;
  }
}
