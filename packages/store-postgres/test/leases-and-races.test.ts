import { readFileSync } from "node:fs";
import type { TokenData, WriteResult } from "@partner-oauth/core";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { PostgresTokenStore, type Queryable, schemaSql, storeStatements } from "../src/index.js";
import { PG, Pools, sqlName, storeOn, TestSchema } from "./support/db.js";

const pools = new Pools();
let schema: TestSchema;
let table: string;
let admin: pg.Pool;

beforeAll(async () => {
  schema = await new TestSchema(pools).create();
  table = await schema.table();
  admin = schema.admin;
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await schema?.drop();
  await pools.close();
});

const record = (n: number): TokenData => ({
  accessToken: `access-${n}`,
  tokenType: "Bearer",
  scopes: [],
  raw: n,
});
const freshKey = () => `race:default:~${crypto.randomUUID()}`;
/** Three stores, each over its own pool: three "processes". */
const threeClients = () => [0, 1, 2].map(() => storeOn(pools.open(), table));

/** The lease's remaining time by the database clock, in ms. */
async function remainingMs(key: string): Promise<number> {
  const { rows } = await admin.query(
    `SELECT extract(epoch FROM lease_until - clock_timestamp()) * 1000 AS ms FROM ${sqlName(table)} WHERE key = $1`,
    [key],
  );
  return Number(rows[0].ms);
}

describe("leases are judged by the database clock", () => {
  it("no statement carries the caller's time: the expiry is computed in SQL with clock_timestamp()", async () => {
    const sent: unknown[][] = [];
    const pool = pools.open();
    const spy: Queryable = {
      query: (text, values) => {
        sent.push(values);
        return pool.query(text, values);
      },
    };
    const store = new PostgresTokenStore({ query: spy, table });
    const key = freshKey();
    const fence = (await store.acquireLease(key, "a", 30_000)) as number;
    await store.renewLease(key, "a", fence, 30_000);
    await store.compareAndSet(key, record(1), { version: 0, fence });
    await store.releaseLease(key, "a", fence);
    const now = Date.now();
    for (const value of sent.flat()) {
      expect(value).not.toBeInstanceOf(Date);
      if (typeof value === "number") expect(Math.abs(value - now)).toBeGreaterThan(86_400_000);
    }
    const sql = storeStatements(table);
    for (const text of [sql.acquireLease, sql.renewLease]) {
      expect(text).toContain("clock_timestamp() + $");
      expect(text).toMatch(/lease_until (<=|>) clock_timestamp\(\)/);
    }
  });

  it("a caller whose clock runs an hour ahead (or behind) still sees the database's expiry", async () => {
    const [a, b] = threeClients() as [PostgresTokenStore, PostgresTokenStore];
    const key = freshKey();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() - 3_600_000);
    const fence = await a.acquireLease(key, "a", 60_000);
    expect(fence).toBe(1);
    const remaining = await remainingMs(key);
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(60_000);
    vi.setSystemTime(Date.now() + 7_200_000);
    // By the caller's clock the lease ran out an hour ago; by the database's it has a minute left.
    expect(await b.acquireLease(key, "b", 60_000)).toBeUndefined();
    expect(await a.renewLease(key, "a", 1, 60_000)).toBe(true);
  });

  it("a lease the database clock has expired is granted again at once, whatever the caller's clock says", async () => {
    const [a, b] = threeClients() as [PostgresTokenStore, PostgresTokenStore];
    const key = freshKey();
    const first = (await a.acquireLease(key, "a", 600_000)) as number;
    // Ten minutes by the caller's clock are left; move the database's expiry into the past.
    await admin.query(
      `UPDATE ${sqlName(table)} SET lease_until = clock_timestamp() - interval '1 second' WHERE key = $1`,
      [key],
    );
    const second = await b.acquireLease(key, "b", 600_000);
    expect(second).toBe(first + 1);
    expect(await a.renewLease(key, "a", first, 600_000)).toBe(false);
  });
});

describe("exactly one winner under concurrency (several pools, READ COMMITTED)", () => {
  const winners = (results: WriteResult[]) => results.filter((r) => r.ok).length;

  it("30 acquires of an expired lease (ON CONFLICT update path): one fence, larger than the old", async () => {
    const clients = threeClients();
    const key = freshKey();
    const old = (await (clients[0] as PostgresTokenStore).acquireLease(key, "old", 600_000)) as number;
    await admin.query(
      `UPDATE ${sqlName(table)} SET lease_until = clock_timestamp() - interval '1 second' WHERE key = $1`,
      [key],
    );
    const fences = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (clients[i % 3] as PostgresTokenStore).acquireLease(key, `o${i}`, 60_000),
      ),
    );
    const granted = fences.filter((f) => f !== undefined);
    expect(granted).toEqual([old + 1]);
  });

  it("30 creates of a never-written key at version 0 (insert path): one wins, the others see a version conflict", async () => {
    const clients = threeClients();
    const key = freshKey();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (clients[i % 3] as PostgresTokenStore).compareAndSet(key, record(i), { version: 0 }),
      ),
    );
    expect(winners(results)).toBe(1);
    for (const r of results) if (!r.ok) expect(r.conflict).toBe("version");
    const winner = results.findIndex((r) => r.ok);
    expect(await (clients[1] as PostgresTokenStore).read(key)).toEqual({ token: record(winner), version: 1 });
  });

  it("30 creates at version 0 under the lease of a never-written key (its row holds only a fence): one wins", async () => {
    const clients = threeClients();
    const key = freshKey();
    const fence = (await (clients[0] as PostgresTokenStore).acquireLease(key, "a", 60_000)) as number;
    expect(await (clients[2] as PostgresTokenStore).read(key)).toEqual({ token: undefined, version: 0 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (clients[i % 3] as PostgresTokenStore).compareAndSet(key, record(i), { version: 0, fence }),
      ),
    );
    expect(winners(results)).toBe(1);
    for (const r of results) if (!r.ok) expect(r.conflict).toBe("version");
  });

  it("30 compare-and-deletes of one version: one wins, and the tombstone keeps a larger version", async () => {
    const clients = threeClients();
    const key = freshKey();
    await (clients[0] as PostgresTokenStore).set(key, record(1));
    const { version } = await (clients[0] as PostgresTokenStore).read(key);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (clients[i % 3] as PostgresTokenStore).compareAndDelete(key, { version }),
      ),
    );
    expect(winners(results)).toBe(1);
    expect(await (clients[2] as PostgresTokenStore).read(key)).toEqual({
      token: undefined,
      version: version + 1,
    });
  });

  it("writes racing a new lease grant: a stale fence never lands after the new fence is granted", async () => {
    const clients = threeClients();
    const key = freshKey();
    await (clients[0] as PostgresTokenStore).set(key, record(0));
    const stale = (await (clients[0] as PostgresTokenStore).acquireLease(key, "stale", 60_000)) as number;
    await admin.query(
      `UPDATE ${sqlName(table)} SET lease_until = clock_timestamp() - interval '1 second' WHERE key = $1`,
      [key],
    );
    const next = (await (clients[1] as PostgresTokenStore).acquireLease(key, "next", 60_000)) as number;
    const { version } = await (clients[2] as PostgresTokenStore).read(key);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (clients[i % 3] as PostgresTokenStore).compareAndSet(key, record(100 + i), {
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

describe("API", () => {
  it("takes a pg Pool, a pg Client, or a bare query function", async () => {
    const client = new pg.Client(PG);
    await client.connect();
    try {
      const pool = pools.open();
      const key = freshKey();
      await new PostgresTokenStore({ query: pool, table }).set(key, record(1));
      expect(await new PostgresTokenStore({ query: client, table }).get(key)).toEqual(record(1));
      const fn = (text: string, values: unknown[]) => pool.query(text, values);
      expect(await new PostgresTokenStore({ query: fn, table }).get(key)).toEqual(record(1));
    } finally {
      await client.end();
    }
  });

  it("the README shows the schema exactly as createSchema runs it", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme).toContain(schemaSql());
  });
});
