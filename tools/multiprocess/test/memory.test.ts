import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedExpiredGrant } from "../cluster.mjs";
import { rotatingProvider } from "../provider.mjs";
import { RotatingTokenServer } from "../token-server.mjs";

/** The multi-process rounds' checks, for two clients over one MemoryTokenStore in one process. */
const server = new RotatingTokenServer({ latencyMs: 25 });
const store = new MemoryTokenStore();
let clients: ReturnType<typeof createOAuthClient>[] = [];

beforeAll(async () => {
  await server.start();
  clients = [0, 1].map((i) =>
    createOAuthClient(rotatingProvider({ url: server.url, worker: `client-${i}` }), { store }),
  );
});
afterAll(() => server.stop());

describe("two clients × 100 callers over one MemoryTokenStore, single-use rotating refresh tokens", () => {
  for (let round = 1; round <= 20; round++) {
    it(`round ${round}: one refresh request, every caller gets the stored live token`, async () => {
      const account = `merchant-${round}`;
      const { key, grant } = await seedExpiredGrant(store, server, account);
      server.resetStats();
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) => (clients[i % 2] as (typeof clients)[0]).getToken(account)),
      );
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(server.stats.refreshRequests).toBe(1);
      expect(server.stats.invalidGrants).toBe(0);
      const record = await store.get(key);
      expect(record?.refreshToken).toBe(server.liveTokenOf(grant.grant));
      const handedOut = new Set(results.map((r) => (r.status === "fulfilled" ? r.value.accessToken : "")));
      expect([...handedOut]).toEqual([record?.accessToken]);
    });
  }
});
