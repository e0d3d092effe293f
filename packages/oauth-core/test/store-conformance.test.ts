import { describe, expect, it } from "vitest";
import { MemoryTokenStore, type TokenData } from "../src/index.js";
import { coordinateLocally } from "../src/local-coordination.js";
import { dueIndexChecks, sharedTokenStoreChecks, tokenStoreChecks } from "../src/testing/index.js";
import { PlainStore } from "./support/plain-store.js";

describe("MemoryTokenStore conforms to the TokenStore contract", () => {
  for (const check of tokenStoreChecks) it(check.name, () => check.run(new MemoryTokenStore()));
});

describe("MemoryTokenStore conforms to the shared-store contract", () => {
  for (const check of sharedTokenStoreChecks) {
    it(check.name, () => {
      const store = new MemoryTokenStore();
      return check.run(() => store);
    });
  }
});

describe("MemoryTokenStore conforms to the due-index contract", () => {
  for (const check of dueIndexChecks) {
    it(check.name, () => {
      const store = new MemoryTokenStore();
      return check.run(() => store);
    });
  }
});

describe("a plain get/set/delete store, coordinated in-process, conforms to the shared-store contract", () => {
  for (const check of sharedTokenStoreChecks) {
    it(check.name, () => {
      const plain = new PlainStore();
      return check.run(() => coordinateLocally(plain));
    });
  }

  it("notices a record changed behind its back and refuses a compare-and-set on the old version", async () => {
    const plain = new PlainStore();
    const store = coordinateLocally(plain);
    const token: TokenData = { accessToken: "a", tokenType: "Bearer", scopes: [], raw: {} };
    await store.set("k", token);
    const { version } = await store.read("k");
    await plain.set("k", { ...token, accessToken: "changed elsewhere" });
    expect(await store.compareAndDelete("k", { version })).toEqual({ ok: false, conflict: "version" });
    expect(await plain.get("k")).toMatchObject({ accessToken: "changed elsewhere" });
  });
});

describe("MemoryTokenStore", () => {
  it("rejects a record that cannot be serialized and keeps the old one", async () => {
    const store = new MemoryTokenStore();
    const good = { accessToken: "a", tokenType: "Bearer", scopes: [], raw: {} };
    await store.set("k", good);
    await expect(store.set("k", { ...good, accessToken: "b", raw: { n: 1n } })).rejects.toThrow(TypeError);
    expect(await store.get("k")).toEqual(good);
    expect((await store.read("k")).version).toBe(1);
  });
});
