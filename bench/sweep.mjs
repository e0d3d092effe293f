// Sweep throughput: grants refreshed per second by `oauth.sweep` over each store, against the loopback
// token server (single-use rotating refresh tokens, 25 ms per answer), at concurrency 1, 8 and 32.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOAuthClient, MemoryTokenStore, storeKey } from "@partner-oauth/core";
import { rotatingProvider } from "@partner-oauth/multiprocess/provider";
import { PG, redisUrl } from "@partner-oauth/multiprocess/stores";
import { RotatingTokenServer } from "@partner-oauth/multiprocess/token-server";
import { createSchema as createPostgresSchema, PostgresTokenStore } from "@partner-oauth/store-postgres";
import { fromNodeRedis, RedisTokenStore } from "@partner-oauth/store-redis";
import {
  betterSqlite3Driver,
  createSchema as createSqliteSchema,
  SqliteTokenStore,
} from "@partner-oauth/store-sqlite";
import Database from "better-sqlite3";
import pg from "pg";
import { createClient } from "redis";
import { table } from "./lib/markdown.mjs";
import { progress, runSection } from "./lib/section.mjs";
import { num } from "./lib/stats.mjs";

const LATENCY_MS = 25;
const CONCURRENCY = [1, 8, 32];
/** Grants per run: enough for a steady rate, few enough at concurrency 1 (40 per second at best). */
const GRANTS = { 1: Number(process.env.BENCH_SWEEP_N1 ?? 200), 8: 800, 32: 1_600 };
const DAY = 86_400_000;

/** Seeds `n` due grants, sweeps them, and returns grants per second (and a check that all were refreshed). */
async function sweepRun(store, server, concurrency, n, run) {
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const issued = server.issueGrant();
    await store.set(
      storeKey({ provider: "bench", tokenType: "default", account: `r${run}-c${concurrency}-${i}` }),
      {
        accessToken: issued.accessToken,
        tokenType: "Bearer",
        refreshToken: issued.refreshToken,
        expiresAt: now + 3_600_000,
        refreshDueAt: now - DAY + i,
        scopes: [],
        raw: {},
      },
    );
  }
  const oauth = createOAuthClient(
    rotatingProvider({ url: server.url, worker: "bench", id: "bench", refreshTokenLifetimeMs: 30 * DAY }),
    {
      store,
    },
  );
  const start = performance.now();
  const report = await oauth.sweep({
    before: now,
    concurrency,
    maxPerSecond: Number.POSITIVE_INFINITY,
    limit: n,
  });
  const seconds = (performance.now() - start) / 1000;
  if (report.refreshed.length !== n)
    throw new Error(`swept ${report.refreshed.length} of ${n}: ${JSON.stringify(report.stopped)}`);
  return n / seconds;
}

runSection(import.meta.url, async () => {
  const server = await new RotatingTokenServer({ latencyMs: LATENCY_MS }).start();
  const pool = new pg.Pool({ ...PG, max: 40 });
  const pgTable = `po_bench_sweep_${process.pid}`;
  const redis = createClient({ url: redisUrl() });
  const redisPrefix = `po-bench-sweep:${process.pid}:`;
  const dir = mkdtempSync(join(tmpdir(), "po-bench-sweep-"));
  const db = new Database(join(dir, "tokens.sqlite"));
  const rows = [];
  const targets = [];
  try {
    await createPostgresSchema(pool, { table: pgTable });
    await redis.connect();
    const sqliteDriver = betterSqlite3Driver(db);
    await createSqliteSchema(sqliteDriver);
    const stores = [
      ["`MemoryTokenStore`", new MemoryTokenStore()],
      ["PostgreSQL", new PostgresTokenStore({ query: pool, table: pgTable })],
      ["Redis", new RedisTokenStore({ client: fromNodeRedis(redis), prefix: redisPrefix })],
      ["SQLite (better-sqlite3, WAL file)", new SqliteTokenStore({ driver: sqliteDriver })],
    ];
    let run = 0;
    // Warm-up (JIT, sockets), not reported.
    await sweepRun(new MemoryTokenStore(), server, 32, 400, ++run);
    for (const [name, store] of stores) {
      const rates = [];
      for (const concurrency of CONCURRENCY) {
        progress(`sweep: ${name}, concurrency ${concurrency}`);
        rates.push(await sweepRun(store, server, concurrency, GRANTS[concurrency], ++run));
      }
      rows.push([name, ...rates.map((rate) => `${num(rate, 0)} /s`)]);
      // DESIGN.md: "a sweep keeps pace with 100 grants/s against a 25 ms provider".
      targets.push({
        name: `${name}: sweep ≥ 100 grants/s against a 25 ms provider (concurrency 8)`,
        value: `${num(rates[1], 0)} /s`,
        met: rates[1] >= 100,
      });
    }
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${pgTable}`).catch(() => {});
    await pool.end();
    if (redis.isOpen) {
      let cursor = "0";
      do {
        const [next, keys] = await redis.sendCommand([
          "SCAN",
          cursor,
          "MATCH",
          `${redisPrefix}*`,
          "COUNT",
          "1000",
        ]);
        cursor = String(next);
        if (keys.length) await redis.sendCommand(["UNLINK", ...keys]);
      } while (cursor !== "0");
      await redis.close();
    }
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
  const ceiling = CONCURRENCY.map((c) => `${num((1000 / LATENCY_MS) * c, 0)} /s`);
  rows.push(["*ceiling: concurrency ÷ 25 ms*", ...ceiling]);
  return {
    title: "Refresh sweep throughput (`oauth.sweep`)",
    how:
      `Grants refreshed per second by one \`oauth.sweep({ concurrency, maxPerSecond: Infinity })\` in one process, ` +
      `each refresh under its lease with every shared-store rule (lease, re-read, fenced write, release), against the ` +
      `loopback token server (single-use rotating refresh tokens, ${LATENCY_MS} ms per answer). ` +
      `${GRANTS[1]} due grants at concurrency 1, ${GRANTS[8]} at 8, ${GRANTS[32]} at 32; local PostgreSQL (a pool of 40), ` +
      "local Redis, a SQLite file. The last row is what the token server's latency alone allows.",
    body: table(["store", "concurrency 1", "concurrency 8", "concurrency 32"], rows),
    targets,
  };
});
