import { createOAuthClient, storeKey, type TokenData } from "@partner-oauth/core";
import { singleUseProvider } from "@partner-oauth/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pools, storeOn, TestSchema } from "./support/db.js";

const pools = new Pools();
let schema: TestSchema;
let table: string;

beforeAll(async () => {
  schema = await new TestSchema(pools).create();
  table = await schema.table();
});

afterAll(async () => {
  await schema?.drop();
  await pools.close();
});

describe("createOAuthClient(provider, { store }) over PostgreSQL", () => {
  it("three clients on three pools, 60 callers on an expired single-use grant: one refresh, one token, nothing lost", async () => {
    const { provider, refreshes, live } = singleUseProvider();
    const stores = [0, 1, 2].map(() => storeOn(pools.open(), table));
    const clients = stores.map((store) => createOAuthClient(provider, { store, timeoutMs: 10_000 }));
    const expired: TokenData = {
      accessToken: "access-0",
      tokenType: "Bearer",
      refreshToken: "refresh-0",
      expiresAt: Date.now() - 1_000,
      scopes: ["read"],
      raw: {},
    };
    const key = storeKey({ provider: "single-use", tokenType: "default", account: "merchant-1" });
    await (stores[0] as (typeof stores)[number]).set(key, expired);

    const tokens = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (clients[i % 3] as (typeof clients)[number]).getToken("merchant-1"),
      ),
    );
    expect(refreshes()).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(["access-1"]));
    const stored = await (stores[2] as (typeof stores)[number]).get(key);
    expect(stored?.refreshToken).toBe(live());
  });
});
