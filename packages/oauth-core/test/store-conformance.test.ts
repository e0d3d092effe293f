import { describe, expect, it } from "vitest";
import { MemoryTokenStore } from "../src/index.js";
import { tokenStoreChecks } from "../src/testing/index.js";

describe("MemoryTokenStore conforms to the TokenStore contract", () => {
  for (const check of tokenStoreChecks) it(check.name, () => check.run(new MemoryTokenStore()));
});

describe("MemoryTokenStore", () => {
  it("rejects a record that cannot be serialized and keeps the old one", async () => {
    const store = new MemoryTokenStore();
    const good = { accessToken: "a", tokenType: "Bearer", scopes: [], raw: {} };
    await store.set("k", good);
    await expect(store.set("k", { ...good, accessToken: "b", raw: { n: 1n } })).rejects.toThrow(TypeError);
    expect(await store.get("k")).toEqual(good);
  });
});
