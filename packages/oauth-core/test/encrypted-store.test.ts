import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createOAuthClient,
  type EncryptionKey,
  encryptedStore,
  InvalidInputError,
  isSharedTokenStore,
  MemoryTokenStore,
  type TokenData,
  TokenDecryptionError,
  type TokenStore,
} from "../src/index.js";
import { dueIndexChecks, sharedTokenStoreChecks, tokenStoreChecks } from "../src/testing/index.js";
import { lifecycle, slot } from "./helpers.js";

const key = (id: string): EncryptionKey => ({ id, key: crypto.getRandomValues(new Uint8Array(32)) });
const K1 = key("k1");
const K2 = key("k2");
const K3 = key("k3");

const record: TokenData = {
  accessToken: "at-secret-0123456789",
  tokenType: "Bearer",
  refreshToken: "rt-secret-9876543210",
  expiresAt: 1_800_000_000_000,
  refreshTokenExpiresAt: 1_900_000_000_000,
  scopes: ["read", "write"],
  subject: "merchant-7",
  raw: { access_token: "at-secret-0123456789", nested: { list: [1, "two"] } },
};

/** Flips one bit of one character of a string, keeping it a base64url or id character where it was one. */
function flip(text: string, index: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const at = alphabet.indexOf(text[index] as string);
  const replacement = alphabet[(at ^ 1) % alphabet.length] as string;
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe("encryptedStore", () => {
  it("round-trips a record, and the inner store holds none of its secrets", async () => {
    const inner = new MemoryTokenStore();
    const store = encryptedStore(inner, { keys: [K1] });
    await store.set("p:t:~a", record);
    expect(await store.get("p:t:~a")).toEqual(record);
    const raw = JSON.stringify(await inner.get("p:t:~a"));
    for (const secret of ["at-secret-0123456789", "rt-secret-9876543210", "two"])
      expect(raw).not.toContain(secret);
    // What a store needs to coordinate, and what is no secret, stays readable.
    expect(await inner.get("p:t:~a")).toMatchObject({
      tokenType: "Bearer",
      expiresAt: record.expiresAt,
      scopes: record.scopes,
      subject: record.subject,
    });
    // A fresh IV per write: the same record encrypts differently every time.
    const first = (await inner.get("p:t:~a"))?.accessToken;
    await store.set("p:t:~a", record);
    expect((await inner.get("p:t:~a"))?.accessToken).not.toBe(first);
  });

  it("passes the shared contract through: a shared store stays shared, a plain one plain", () => {
    expect(isSharedTokenStore(encryptedStore(new MemoryTokenStore(), { keys: [K1] }))).toBe(true);
    const plain: TokenStore = { get: async () => undefined, set: async () => {}, delete: async () => {} };
    expect(isSharedTokenStore(encryptedStore(plain, { keys: [K1] }))).toBe(false);
  });

  describe("conforms to the TokenStore contract through the wrapper", () => {
    for (const check of tokenStoreChecks)
      it(check.name, () => check.run(encryptedStore(new MemoryTokenStore(), { keys: [K1] })));
  });

  describe("conforms to the shared-store contract through the wrapper", () => {
    for (const check of sharedTokenStoreChecks) {
      it(check.name, () => {
        const store = encryptedStore(new MemoryTokenStore(), { keys: [K1] });
        return check.run(() => store);
      });
    }
  });

  describe("conforms to the due-index contract through the wrapper (refreshDueAt stays readable)", () => {
    for (const check of dueIndexChecks) {
      it(check.name, () => {
        const store = encryptedStore(new MemoryTokenStore(), { keys: [K1] });
        return check.run(() => store);
      });
    }
  });

  it.each([
    ["an empty ring", []],
    ["a key of 16 bytes", [{ id: "short", key: new Uint8Array(16) }]],
    ["a key of 33 bytes", [{ id: "long", key: new Uint8Array(33) }]],
    ["duplicate key ids", [K1, { id: "k1", key: new Uint8Array(32) }]],
    ["an id with a dot-free but invalid character", [{ id: "k 1", key: new Uint8Array(32) }]],
    ["an empty id", [{ id: "", key: new Uint8Array(32) }]],
    ["a key that is no key", [{ id: "x", key: "0".repeat(32) }]],
  ])("refuses %s at construction with InvalidInputError", (_label, keys) => {
    expect(() => encryptedStore(new MemoryTokenStore(), { keys: keys as EncryptionKey[] })).toThrow(
      InvalidInputError,
    );
  });

  it("never names the key bytes in an error", () => {
    const bytes = new Uint8Array(31).fill(0x41);
    const error = (() => {
      try {
        encryptedStore(new MemoryTokenStore(), { keys: [{ id: "k", key: bytes }] });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(String(error)).not.toContain("AAAA");
  });

  describe("a tampered or misplaced value is refused with a typed error, never a wrong token, and nothing is deleted", () => {
    async function sealed() {
      const inner = new MemoryTokenStore();
      const store = encryptedStore(inner, { keys: [K1] });
      await store.set("p:t:~a", record);
      return { inner, store, stored: (await inner.get("p:t:~a")) as TokenData };
    }

    // Envelope: poe1.<key id>.<iv>.<ciphertext+tag>
    it.each([
      ["the key id", 1],
      ["the IV", 2],
      ["the ciphertext", 3],
    ])("one flipped bit in %s", async (_label, part) => {
      const { inner, store, stored } = await sealed();
      for (const field of ["accessToken", "refreshToken", "raw"] as const) {
        const parts = (stored[field] as string).split(".");
        const target = parts[part] as string;
        parts[part] = flip(target, Math.floor(target.length / 2));
        await inner.set("p:t:~a", { ...stored, [field]: parts.join(".") });
        const error = await store.get("p:t:~a").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TokenDecryptionError);
        expect((error as TokenDecryptionError).field).toBe(field);
        if (part !== 1) expect((error as TokenDecryptionError).keyId).toBe("k1");
        expect(JSON.stringify(error)).not.toContain("secret");
        expect(await inner.get("p:t:~a")).toBeDefined();
      }
    });

    it("one flipped bit in the tag (the last bytes)", async () => {
      const { inner, store, stored } = await sealed();
      const parts = stored.accessToken.split(".");
      const body = parts[3] as string;
      parts[3] = flip(body, body.length - 2);
      await inner.set("p:t:~a", { ...stored, accessToken: parts.join(".") });
      await expect(store.get("p:t:~a")).rejects.toMatchObject({ name: "TokenDecryptionError", keyId: "k1" });
    });

    it("a value copied to another account's key, or to another field", async () => {
      const { inner, store, stored } = await sealed();
      await inner.set("p:t:~b", stored);
      await expect(store.get("p:t:~b")).rejects.toBeInstanceOf(TokenDecryptionError);
      await inner.set("p:t:~a", { ...stored, accessToken: stored.refreshToken as string });
      await expect(store.get("p:t:~a")).rejects.toMatchObject({ field: "accessToken", keyId: "k1" });
    });

    it("a record under a key no longer in the ring names that key id", async () => {
      const { inner, stored } = await sealed();
      const withoutK1 = encryptedStore(inner, { keys: [K2] });
      await expect(withoutK1.get("p:t:~a")).rejects.toMatchObject({
        name: "TokenDecryptionError",
        keyId: "k1",
      });
      expect(await inner.get("p:t:~a")).toEqual(stored);
    });

    it("a plaintext record where ciphertext is expected", async () => {
      const inner = new MemoryTokenStore();
      await inner.set("p:t:~a", record);
      const store = encryptedStore(inner, { keys: [K1] });
      const error = await store.get("p:t:~a").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenDecryptionError);
      expect(String(error)).not.toContain(record.accessToken);
      expect(await inner.get("p:t:~a")).toEqual(record);
    });

    it("the facade hands out nothing and deletes nothing when a record does not decrypt", async () => {
      const inner = new MemoryTokenStore();
      const { oauth, seedExpired, server } = await lifecycle({}, {}, encryptedStore(inner, { keys: [K1] }));
      await seedExpired();
      const stored = (await inner.get(slot("acct-1"))) as TokenData;
      await inner.set(slot("acct-1"), { ...stored, refreshToken: flip(stored.refreshToken as string, 30) });
      await expect(oauth.getToken("acct-1")).rejects.toBeInstanceOf(TokenDecryptionError);
      expect(server.tokenRequests).toBe(0);
      expect(await inner.get(slot("acct-1"))).toBeDefined();
    });
  });

  it("rotation: records written under three successive keys all read, and a write moves a record to the newest", async () => {
    const inner = new MemoryTokenStore();
    await encryptedStore(inner, { keys: [K1] }).set("p:t:~1", { ...record, subject: "one" });
    await encryptedStore(inner, { keys: [K2, K1] }).set("p:t:~2", { ...record, subject: "two" });
    await encryptedStore(inner, { keys: [K3, K2, K1] }).set("p:t:~3", { ...record, subject: "three" });
    const ring = encryptedStore(inner, { keys: [K3, K2, K1] });
    expect((await ring.get("p:t:~1"))?.subject).toBe("one");
    expect((await ring.get("p:t:~2"))?.subject).toBe("two");
    expect((await ring.get("p:t:~3"))?.subject).toBe("three");
    const keyIdOf = async (k: string) => (await inner.get(k))?.accessToken.split(".")[1];
    expect(await keyIdOf("p:t:~1")).toBe("k1");
    await ring.set("p:t:~1", (await ring.get("p:t:~1")) as TokenData);
    expect(await keyIdOf("p:t:~1")).toBe("k3");
    // Once every record is rewritten, the old keys can leave the ring.
    await ring.set("p:t:~2", (await ring.get("p:t:~2")) as TokenData);
    expect((await encryptedStore(inner, { keys: [K3] }).get("p:t:~2"))?.subject).toBe("two");
  });

  it("a refresh through the facade rewrites the record under the newest key", async () => {
    const inner = new MemoryTokenStore();
    const { oauth, seedExpired } = await lifecycle({}, {}, encryptedStore(inner, { keys: [K1] }));
    await seedExpired();
    const rotated = createOAuthClient(oauth.provider, {
      store: encryptedStore(inner, { keys: [K2, K1] }),
      now: () => Date.UTC(2026, 0, 1),
    });
    const token = await rotated.getToken("acct-1");
    expect((await inner.get(slot("acct-1")))?.accessToken.split(".")[1]).toBe("k2");
    expect((await encryptedStore(inner, { keys: [K2] }).get(slot("acct-1")))?.accessToken).toBe(
      token.accessToken,
    );
  });

  it("property: any record round-trips, and its secrets never appear in what the store holds", async () => {
    const secret = fc.string({ minLength: 12, maxLength: 200 }).map((s) => `S${s}`);
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            accessToken: secret,
            tokenType: fc.constantFrom("Bearer", "bearer", "mac"),
            refreshToken: secret,
            expiresAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
            scopes: fc.array(fc.string(), { maxLength: 5 }),
            subject: fc.string(),
            raw: fc.jsonValue(),
          },
          { requiredKeys: ["accessToken", "tokenType", "scopes", "raw"] },
        ),
        fc.string({ minLength: 1, maxLength: 80 }),
        async (token, storeKey) => {
          const inner = new MemoryTokenStore();
          const store = encryptedStore(inner, { keys: [K1, K2] });
          await store.set(storeKey, token as TokenData);
          const back = await store.get(storeKey);
          expect(JSON.stringify(back)).toBe(JSON.stringify(JSON.parse(JSON.stringify(token))));
          const held = JSON.stringify(await inner.get(storeKey));
          expect(held).not.toContain(JSON.stringify(token.accessToken).slice(1, -1));
          if (token.refreshToken) expect(held).not.toContain(JSON.stringify(token.refreshToken).slice(1, -1));
        },
      ),
      { numRuns: 150 },
    );
  });
});
