import {
  createOAuthClient,
  InvalidGrantError,
  type ProviderAdapter,
  type RefreshCapability,
  storeKey,
  type TokenData,
} from "@partner-oauth/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Connection, Connections, LIBRARIES, sleep, storeOn, TestPrefix } from "./support/redis.js";

const connections = new Connections();
const prefix = new TestPrefix();
let admin: Connection;

beforeAll(async () => {
  admin = await connections.open("node-redis");
});

afterAll(async () => {
  await prefix.drop(admin);
  await connections.close();
});

/**
 * An in-process provider with single-use refresh tokens: a refresh kills the refresh token it used,
 * and a dead one gets `invalid_grant`, like Braintree or TrueLayer.
 */
function singleUseProvider() {
  let live = "refresh-0";
  let refreshes = 0;
  const provider: ProviderAdapter<unknown, "default"> & RefreshCapability = {
    id: "single-use",
    codeFlowTokenType: "default",
    pkce: "none",
    refreshTokens: "single-use",
    authorizationUrl: () => new URL("https://provider.example/authorize"),
    exchangeCode: async () => {
      throw new Error("not used");
    },
    async refreshToken(token) {
      await sleep(20);
      if (token.refreshToken !== live) {
        throw new InvalidGrantError({ operation: "refresh", provider: "single-use", code: "invalid_grant" });
      }
      refreshes++;
      live = `refresh-${refreshes}`;
      return {
        accessToken: `access-${refreshes}`,
        tokenType: "Bearer",
        refreshToken: live,
        expiresAt: Date.now() + 3_600_000,
        scopes: ["read"],
        raw: {},
      };
    },
  };
  return { provider, refreshes: () => refreshes, live: () => live };
}

describe("createOAuthClient(provider, { store }) over Redis", () => {
  for (const library of LIBRARIES) {
    it(`${library}: three clients on three connections, 60 callers on an expired single-use grant: one refresh, one token, nothing lost`, async () => {
      const space = prefix.child();
      const { provider, refreshes, live } = singleUseProvider();
      const stores = await Promise.all(
        [0, 1, 2].map(async () => storeOn(await connections.open(library), space)),
      );
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
  }
});
