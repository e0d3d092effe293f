import type { TokenData } from "@partner-oauth/core";
import { afterEach, describe, expect, it } from "vitest";
import { OwnRedis } from "./support/own-server.js";
import { Connections, LIBRARIES, storeOn } from "./support/redis.js";

const connections = new Connections();
const servers: OwnRedis[] = [];

afterEach(async () => {
  await connections.close();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

const token: TokenData = { accessToken: "a", tokenType: "Bearer", refreshToken: "r", scopes: [], raw: {} };

/** Writes a record, deletes it, takes and keeps a lease; crashes the server; what is left. */
async function crashAfterWrites(persistent: boolean, library: (typeof LIBRARIES)[number]) {
  const server = await new OwnRedis(persistent).start();
  servers.push(server);
  const store = storeOn(await connections.open(library, { port: server.port }), "p:");
  await store.set("k", token);
  const fence = (await store.acquireLease("k", "holder", 600_000)) as number;
  await store.compareAndSet("k", { ...token, accessToken: "b" }, { version: 1, fence });
  await store.set("gone", token);
  await store.delete("gone");
  await server.crash();
  const after = storeOn(await connections.open(library, { port: server.port }), "p:");
  return {
    fence,
    record: await after.read("k"),
    tombstone: await after.read("gone"),
    nextFence: await after.acquireLease("k", "next", 600_000),
    holderRenews: await after.renewLease("k", "holder", fence, 600_000),
  };
}

describe("a Redis crash (SIGKILL, restart): what survives depends on the server's persistence", () => {
  for (const library of LIBRARIES) {
    it(`${library}: with appendonly yes and appendfsync always, records, tombstones, fences and leases all survive`, async () => {
      const left = await crashAfterWrites(true, library);
      expect(left.record).toEqual({ token: { ...token, accessToken: "b" }, version: 2 });
      expect(left.tombstone).toEqual({ token: undefined, version: 2 });
      expect(left.nextFence).toBeUndefined();
      expect(left.holderRenews).toBe(true);
    });
  }

  it("with nothing on disk (appendonly no, no snapshots) every record, version, fence and lease is gone: fences start over, which breaks the contract", async () => {
    const left = await crashAfterWrites(false, "node-redis");
    expect(left.record).toEqual({ token: undefined, version: 0 });
    expect(left.tombstone).toEqual({ token: undefined, version: 0 });
    // The lease was lost with the rest, and the next grant reuses a fence already handed out.
    expect(left.nextFence).toBeDefined();
    expect(left.nextFence as number).toBeLessThanOrEqual(left.fence);
    expect(left.holderRenews).toBe(false);
  });
});
