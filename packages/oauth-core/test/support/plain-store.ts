import type { TokenData, TokenStore } from "../../src/index.js";

/** The plainest store a user could write, as the core README shows: get/set/delete over a Map of JSON text. */
export class PlainStore implements TokenStore {
  readonly records = new Map<string, string>();
  async get(key: string) {
    const json = this.records.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as TokenData);
  }
  async set(key: string, token: TokenData) {
    this.records.set(key, JSON.stringify(token));
  }
  async delete(key: string) {
    this.records.delete(key);
  }
}
