import type { TokenStore } from "../store.js";
import type { TokenData } from "../token.js";

/** One rule of the TokenStore contract, runnable in any test framework. */
export interface TokenStoreCheck {
  name: string;
  /** Resolves when the store keeps the rule; rejects with an Error explaining the breach. */
  run(store: TokenStore): Promise<void>;
}

function record(n: number, extra: Partial<TokenData> = {}): TokenData {
  return {
    accessToken: `access-${n}-${"x".repeat(n % 7)}`,
    tokenType: "Bearer",
    refreshToken: `refresh-${n}`,
    expiresAt: 1_700_000_000_000 + n,
    scopes: [`scope-${n}`, "shared"],
    subject: `merchant-${n}`,
    raw: { nested: { n, list: [n, `${n}`] }, text: "ünïcödé ✓" },
    ...extra,
  };
}

function assertEqual(actual: unknown, expected: unknown, rule: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `TokenStore breaks "${rule}": expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
  }
}

/**
 * The conformance suite every TokenStore must pass (see the contract on `TokenStore`). Run each
 * check against a fresh, empty store:
 * `for (const check of tokenStoreChecks) it(check.name, async () => check.run(await createStore()))`.
 */
export const tokenStoreChecks: readonly TokenStoreCheck[] = [
  {
    name: "get of a missing key resolves undefined",
    async run(store) {
      assertEqual(await store.get("missing:key:~a"), undefined, this.name);
    },
  },
  {
    name: "set then get returns the same record, nested raw data and unicode included",
    async run(store) {
      await store.set("p:t:~a", record(1));
      assertEqual(await store.get("p:t:~a"), record(1), this.name);
    },
  },
  {
    name: "a record without optional fields comes back without them",
    async run(store) {
      const minimal: TokenData = { accessToken: "a", tokenType: "bearer", scopes: [], raw: null };
      await store.set("p:t:~min", minimal);
      assertEqual(await store.get("p:t:~min"), minimal, this.name);
    },
  },
  {
    name: "get returns a copy: mutating it does not change the store",
    async run(store) {
      await store.set("p:t:~a", record(2));
      const read = await store.get("p:t:~a");
      if (!read) throw new Error(`TokenStore breaks "${this.name}": record missing`);
      read.accessToken = "mutated";
      read.scopes.push("mutated");
      (read.raw as { nested: { n: number } }).nested.n = -1;
      assertEqual(await store.get("p:t:~a"), record(2), this.name);
    },
  },
  {
    name: "set copies its input: mutating the input afterwards does not change the store",
    async run(store) {
      const input = record(3);
      await store.set("p:t:~a", input);
      input.refreshToken = "mutated";
      input.scopes.length = 0;
      assertEqual(await store.get("p:t:~a"), record(3), this.name);
    },
  },
  {
    name: "set replaces the whole record (no merge of old fields)",
    async run(store) {
      await store.set("p:t:~a", record(4));
      const replacement: TokenData = { accessToken: "new", tokenType: "Bearer", scopes: ["only"], raw: {} };
      await store.set("p:t:~a", replacement);
      assertEqual(await store.get("p:t:~a"), replacement, this.name);
    },
  },
  {
    name: "delete removes the record, and deleting a missing key resolves",
    async run(store) {
      await store.set("p:t:~a", record(5));
      await store.delete("p:t:~a");
      assertEqual(await store.get("p:t:~a"), undefined, this.name);
      await store.delete("p:t:~a");
      await store.delete("never:set:~x");
    },
  },
  {
    name: "distinct keys never share a record (prefixes, case, encoded characters)",
    async run(store) {
      const keys = ["p:t:~a", "p:t:~a:b", "p:t:~A", "p:t:~a%3Ab", "p:u:~a", "q:t:~a", "p:t:@app"];
      await Promise.all(keys.map((key, i) => store.set(key, record(10 + i))));
      for (const [i, key] of keys.entries())
        assertEqual(await store.get(key), record(10 + i), `${this.name} (${key})`);
      await store.delete("p:t:~a");
      assertEqual(await store.get("p:t:~a:b"), record(11), this.name);
    },
  },
  {
    name: "concurrent sets to one key leave exactly one of the written records, never a mix",
    async run(store) {
      const writes = Array.from({ length: 50 }, (_, i) => record(100 + i));
      await Promise.all(writes.map((w) => store.set("p:t:~race", w)));
      const final = JSON.stringify(await store.get("p:t:~race"));
      if (!writes.some((w) => JSON.stringify(w) === final)) {
        throw new Error(`TokenStore breaks "${this.name}": final record ${final} is none of the writes`);
      }
    },
  },
  {
    name: "a get that starts after set resolved sees the new record (read your writes)",
    async run(store) {
      for (let i = 0; i < 20; i++) {
        await store.set("p:t:~ryw", record(200 + i));
        assertEqual(await store.get("p:t:~ryw"), record(200 + i), this.name);
      }
    },
  },
];
