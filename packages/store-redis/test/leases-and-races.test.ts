import type { TokenData, WriteResult } from "@partner-oauth/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type RedisEvalClient, RedisTokenStore, redisKeys, SCRIPTS } from "../src/index.js";
import {
  type Connection,
  Connections,
  LIBRARIES,
  type Library,
  storeOn,
  TestPrefix,
} from "./support/redis.js";

const connections = new Connections();
const prefix = new TestPrefix();
let admin: Connection;
let space: string;

beforeAll(async () => {
  admin = await connections.open("node-redis");
  space = prefix.child();
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await prefix.drop(admin);
  await connections.close();
});

const record = (n: number): TokenData => ({
  accessToken: `access-${n}`,
  tokenType: "Bearer",
  scopes: [],
  raw: n,
});
const freshKey = () => `race:default:~${crypto.randomUUID()}`;
/** Three stores, each over a connection of its own, the libraries mixed: three "processes". */
const threeClients = async (): Promise<RedisTokenStore[]> => {
  const libraries: Library[] = ["node-redis", "ioredis", "node-redis"];
  return Promise.all(libraries.map(async (library) => storeOn(await connections.open(library), space)));
};
/** Ends the key's lease now, by the server's clock. */
const expireLease = (key: string) => admin.command(["PEXPIRE", redisKeys(key, space).lease, "1"]);

/**
 * The part of a key Redis Cluster hashes to pick its slot (cluster spec, "Hash tags"): what lies
 * between the first `{` and the first `}` after it, when that is not empty; else the whole key.
 */
function hashTag(key: string): string {
  const open = key.indexOf("{");
  const close = open < 0 ? -1 : key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** A hash's fields as an object (HGETALL through sendCommand answers a flat array). */
async function hash(key: string): Promise<Record<string, string>> {
  const flat = (await admin.command(["HGETALL", key])) as string[];
  const fields: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  return fields;
}

describe("key layout", () => {
  it("a record and its lease share the store key as hash tag, so one cluster slot", async () => {
    expect(redisKeys("square:default:~m%7B1%7D")).toEqual({
      record: "partner-oauth:{square:default:~m%7B1%7D}",
      lease: "partner-oauth:{square:default:~m%7B1%7D}:lease",
    });
    for (const key of ["p:t:~a", "p:t:~a}b", "p:t:{x}", "{", "a}"]) {
      const keys = redisKeys(key, space);
      const tag = hashTag(keys.record);
      expect(key.startsWith(tag), key).toBe(true);
      expect(hashTag(keys.lease), key).toBe(tag);
    }
    // The one exception (documented): a key starting with "}" has an empty tag, so Redis hashes the
    // whole name; on a single server that changes nothing, on a cluster its scripts fail (CROSSSLOT).
    const odd = redisKeys("}x", space);
    expect(hashTag(odd.record)).toBe(odd.record);
  });

  it("a record is one hash (version, fence, record); a delete keeps version and fence (a tombstone)", async () => {
    const [store] = (await threeClients()) as [RedisTokenStore];
    const key = freshKey();
    const keys = redisKeys(key, space);
    await store.set(key, record(1));
    const fence = (await store.acquireLease(key, "a", 60_000)) as number;
    expect(await admin.command(["GET", keys.lease])).toBe("a");
    expect(await hash(keys.record)).toEqual({
      version: "1",
      record: JSON.stringify(record(1)),
      fence: String(fence),
    });
    await store.releaseLease(key, "a", fence);
    expect(await admin.command(["EXISTS", keys.lease])).toBe(0);
    await store.delete(key);
    expect(await hash(keys.record)).toEqual({ version: "2", fence: "1" });
  });
});

describe("leases are judged by the Redis server's clock", () => {
  it("no command carries the caller's time: the TTL goes to PX / PEXPIRE, the scripts read no client time", async () => {
    const sent: string[] = [];
    const connection = await connections.open("node-redis");
    const spy: RedisEvalClient = {
      evalsha: (sha, keys, args) => {
        sent.push(...args);
        return connection.client.evalsha(sha, keys, args);
      },
      eval: (script, keys, args) => {
        sent.push(...args);
        return connection.client.eval(script, keys, args);
      },
    };
    const store = new RedisTokenStore({ client: spy, prefix: space });
    const key = freshKey();
    const fence = (await store.acquireLease(key, "a", 30_000)) as number;
    await store.renewLease(key, "a", fence, 30_000);
    await store.compareAndSet(key, record(1), { version: 0, fence });
    await store.releaseLease(key, "a", fence);
    const now = Date.now();
    for (const value of sent) {
      if (/^[0-9]+$/.test(value)) expect(Math.abs(Number(value) - now)).toBeGreaterThan(86_400_000);
    }
    expect(SCRIPTS.acquireLease).toContain("'NX', 'PX', ARGV[2]");
    expect(SCRIPTS.renewLease).toContain("'PEXPIRE', KEYS[2], ARGV[3]");
    for (const script of Object.values(SCRIPTS)) expect(script).not.toMatch(/'TIME'/);
  });

  for (const library of LIBRARIES) {
    it(`${library}: a caller whose clock runs an hour ahead (or behind) still sees the server's expiry`, async () => {
      const a = storeOn(await connections.open(library), space);
      const b = storeOn(await connections.open(library), space);
      const key = freshKey();
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() - 3_600_000);
      const fence = await a.acquireLease(key, "a", 60_000);
      expect(fence).toBe(1);
      const remaining = Number(await admin.command(["PTTL", redisKeys(key, space).lease]));
      expect(remaining).toBeGreaterThan(0);
      expect(remaining).toBeLessThanOrEqual(60_000);
      vi.setSystemTime(Date.now() + 7_200_000);
      // By the caller's clock the lease ran out an hour ago; by the server's it has a minute left.
      expect(await b.acquireLease(key, "b", 60_000)).toBeUndefined();
      expect(await a.renewLease(key, "a", 1, 60_000)).toBe(true);
    });
  }

  it("a lease the server has expired is granted again at once, whatever the caller's clock says", async () => {
    const [a, b] = (await threeClients()) as [RedisTokenStore, RedisTokenStore];
    const key = freshKey();
    const first = (await a.acquireLease(key, "a", 600_000)) as number;
    await expireLease(key);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await b.acquireLease(key, "b", 600_000);
    expect(second).toBe(first + 1);
    expect(await a.renewLease(key, "a", first, 600_000)).toBe(false);
    await a.releaseLease(key, "a", first);
    expect(await a.acquireLease(key, "c", 600_000)).toBeUndefined();
  });

  it("a fractional TTL is rounded up to whole ms, never to 0", async () => {
    const [a] = (await threeClients()) as [RedisTokenStore];
    const key = freshKey();
    expect(await a.acquireLease(key, "a", 30_000.4)).toBe(1);
    const remaining = Number(await admin.command(["PTTL", redisKeys(key, space).lease]));
    expect(remaining).toBeGreaterThan(20_000);
    expect(remaining).toBeLessThanOrEqual(30_001);
  });
});

describe("exactly one winner under concurrency (three connections, both libraries)", () => {
  const winners = (results: WriteResult[]) => results.filter((r) => r.ok).length;

  it("30 acquires of an expired lease: one fence, larger than the old", async () => {
    const clients = await threeClients();
    const key = freshKey();
    const old = (await (clients[0] as RedisTokenStore).acquireLease(key, "old", 600_000)) as number;
    await expireLease(key);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const fences = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (clients[i % 3] as RedisTokenStore).acquireLease(key, `o${i}`, 60_000),
      ),
    );
    expect(fences.filter((f) => f !== undefined)).toEqual([old + 1]);
  });

  it("30 creates of a never-written key at version 0: one wins, the others see a version conflict", async () => {
    const clients = await threeClients();
    const key = freshKey();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (clients[i % 3] as RedisTokenStore).compareAndSet(key, record(i), { version: 0 }),
      ),
    );
    expect(winners(results)).toBe(1);
    for (const r of results) if (!r.ok) expect(r.conflict).toBe("version");
    const winner = results.findIndex((r) => r.ok);
    expect(await (clients[1] as RedisTokenStore).read(key)).toEqual({ token: record(winner), version: 1 });
  });

  it("30 creates at version 0 under the lease of a never-written key (its hash holds only version 0 and a fence): one wins", async () => {
    const clients = await threeClients();
    const key = freshKey();
    const fence = (await (clients[0] as RedisTokenStore).acquireLease(key, "a", 60_000)) as number;
    expect(await (clients[2] as RedisTokenStore).read(key)).toEqual({ token: undefined, version: 0 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (clients[i % 3] as RedisTokenStore).compareAndSet(key, record(i), { version: 0, fence }),
      ),
    );
    expect(winners(results)).toBe(1);
    for (const r of results) if (!r.ok) expect(r.conflict).toBe("version");
  });

  it("30 compare-and-deletes of one version: one wins, and the tombstone keeps a larger version", async () => {
    const clients = await threeClients();
    const key = freshKey();
    await (clients[0] as RedisTokenStore).set(key, record(1));
    const { version } = await (clients[0] as RedisTokenStore).read(key);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (clients[i % 3] as RedisTokenStore).compareAndDelete(key, { version }),
      ),
    );
    expect(winners(results)).toBe(1);
    expect(await (clients[2] as RedisTokenStore).read(key)).toEqual({
      token: undefined,
      version: version + 1,
    });
  });

  it("writes racing a new lease grant: a stale fence never lands after the new fence is granted", async () => {
    const clients = await threeClients();
    const key = freshKey();
    await (clients[0] as RedisTokenStore).set(key, record(0));
    const stale = (await (clients[0] as RedisTokenStore).acquireLease(key, "stale", 60_000)) as number;
    await expireLease(key);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const next = (await (clients[1] as RedisTokenStore).acquireLease(key, "next", 60_000)) as number;
    const { version } = await (clients[2] as RedisTokenStore).read(key);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (clients[i % 3] as RedisTokenStore).compareAndSet(key, record(100 + i), {
          version,
          fence: i % 2 === 0 ? stale : next,
        }),
      ),
    );
    expect(winners(results)).toBe(1);
    const won = results.findIndex((r) => r.ok);
    expect(won % 2).toBe(1);
    results.forEach((r, i) => {
      if (!r.ok && i % 2 === 0) expect(["fence", "version"]).toContain(r.conflict);
    });
  });
});
