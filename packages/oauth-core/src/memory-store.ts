import type { TokenStore } from "./store.js";
import type { TokenData } from "./token.js";

/** An in-process store. Records are deep-copied in and out, so no caller can change a stored token. */
export class MemoryTokenStore implements TokenStore {
  readonly #records = new Map<string, TokenData>();

  async get(key: string): Promise<TokenData | undefined> {
    const record = this.#records.get(key);
    return record === undefined ? undefined : structuredClone(record);
  }

  async set(key: string, token: TokenData): Promise<void> {
    // Clone first: if the token cannot be cloned, the store keeps the old record intact.
    const copy = structuredClone(token);
    this.#records.set(key, copy);
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(key);
  }

  /** How many records are stored (for tests and diagnostics). */
  get size(): number {
    return this.#records.size;
  }
}
