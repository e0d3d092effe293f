// Shared stores: getToken through each durable store against the bare read it issues (same client),
// and the cross-process refresh stampede over PostgreSQL, Redis and SQLite, beside the README's old
// get/set/delete store.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOAuthClient, storeKey } from "@partner-oauth/core";
import { Cluster } from "@partner-oauth/multiprocess/cluster";
import { NaiveKeyValueStore, PG, redisUrl } from "@partner-oauth/multiprocess/stores";
import {
  createSchema as createPostgresSchema,
  PostgresTokenStore,
  storeStatements,
} from "@partner-oauth/store-postgres";
import { fromNodeRedis, RedisTokenStore, redisKeys, SCRIPTS } from "@partner-oauth/store-redis";
import {
  betterSqlite3Driver,
  createSchema as createSqliteSchema,
  SqliteTokenStore,
  sqliteStatements,
} from "@partner-oauth/store-sqlite";
import Database from "better-sqlite3";
import pg from "pg";
import { createClient } from "redis";
import { ACCOUNT, freshTokenData, idleProvider } from "./lib/fixtures.mjs";
import { table } from "./lib/markdown.mjs";
import { progress, runSection } from "./lib/section.mjs";
import { num, percentile } from "./lib/stats.mjs";

const HOT_N = Number(process.env.BENCH_STORE_N ?? 3_000);
const STAMPEDE_ROUNDS = Number(process.env.BENCH_STAMPEDE_ROUNDS ?? 5);
const KEY = storeKey({ provider: "truelayer", tokenType: "data", account: ACCOUNT });

/** ms of getToken through `store` and of `floor` (the store's own read), interleaved one to one. */
async function hotPath(store, floor) {
  await store.set(KEY, freshTokenData());
  const oauth = createOAuthClient(idleProvider(), { store });
  const ours = [];
  const bare = [];
  for (let i = 0; i < 200; i++) {
    await oauth.getToken(ACCOUNT);
    await floor();
  }
  for (let i = 0; i < HOT_N; i++) {
    let start = performance.now();
    await oauth.getToken(ACCOUNT);
    ours.push(performance.now() - start);
    start = performance.now();
    await floor();
    bare.push(performance.now() - start);
  }
  return { ours, bare };
}

async function stampede(kind, tableName) {
  const cluster = await new Cluster({ store: kind, table: tableName, workers: 4, callers: 250 }).start();
  const rounds = [];
  try {
    for (let i = 0; i < STAMPEDE_ROUNDS; i++) rounds.push(await cluster.round());
  } finally {
    await cluster.stop();
  }
  return rounds;
}

runSection(import.meta.url, async () => {
  const pool = new pg.Pool({ ...PG, max: 1 });
  const tableName = `po_bench_${process.pid}`;
  const redis = createClient({ url: redisUrl() });
  await redis.connect();
  const prefix = `po-bench-${process.pid}:`;
  const dir = mkdtempSync(join(tmpdir(), "po-bench-sqlite-"));
  const file = join(dir, "tokens.sqlite");
  await createPostgresSchema(pool, { table: tableName });
  await NaiveKeyValueStore.createTable(pool, tableName);
  try {
    progress("getToken through each store vs its bare read");
    const { read } = storeStatements(tableName);
    const postgresHot = await hotPath(new PostgresTokenStore({ query: pool, table: tableName }), () =>
      pool.query(read, [KEY]),
    );
    const readSha = createHash("sha1").update(SCRIPTS.read).digest("hex");
    const redisHot = await hotPath(new RedisTokenStore({ client: fromNodeRedis(redis), prefix }), () =>
      redis.evalSha(readSha, { keys: [redisKeys(KEY, prefix).record], arguments: [] }),
    );
    const db = new Database(file);
    const driver = betterSqlite3Driver(db);
    await createSqliteSchema(driver);
    const select = db.prepare(sqliteStatements().read.replace("?1", "@p1"));
    const sqliteHot = await hotPath(new SqliteTokenStore({ driver }), async () => select.all({ p1: KEY }));
    db.close();

    progress("stampede: 4 processes × 250 callers over each store");
    const stampedes = [
      ["`PostgresTokenStore`", await stampede("postgres", tableName)],
      ["`RedisTokenStore`", await stampede("redis", `po-bench-stampede-${process.pid}:`)],
      [
        "`RedisTokenStore` with pub/sub wake-ups (`subscriber`)",
        await stampede("redis-notify", `po-bench-notify-${process.pid}:`),
      ],
      ["`SqliteTokenStore` (one file, better-sqlite3)", await stampede("sqlite", file)],
      ["README's old get/set/delete store over PostgreSQL", await stampede("naive-postgres", tableName)],
    ];

    const ms = (value) => `${num(value, 3)} ms`;
    const p = percentile;
    const hot = [
      ["`PostgresTokenStore` (`pg`, one pooled connection)", "its `SELECT record, version …`", postgresHot],
      ["`RedisTokenStore` (node-redis)", "its read script by `EVALSHA`", redisHot],
      ["`SqliteTokenStore` (better-sqlite3, WAL file)", "its `SELECT`, prepared", sqliteHot],
    ];
    const sum = (rounds, pick) => rounds.reduce((n, r) => n + pick(r), 0);
    const followers = (rounds) => rounds.flatMap((r) => r.followers);
    const ours = stampedes.slice(0, 4);
    const body = [
      table(
        [
          "getToken on a fresh token",
          "bare read",
          "ours p50",
          "ours p99",
          "bare p50",
          "bare p99",
          "p99 ratio",
        ],
        hot.map(([name, floor, t]) => [
          name,
          floor,
          ms(p(t.ours, 50)),
          ms(p(t.ours, 99)),
          ms(p(t.bare, 50)),
          ms(p(t.bare, 99)),
          `${num(p(t.ours, 99) / p(t.bare, 99), 2)}×`,
        ]),
      ),
      "",
      table(
        [
          "4 processes × 250 callers, one expired token",
          "refresh requests per round",
          "invalid_grant",
          "callers failed",
          "rounds that lost the grant",
          "followers p50",
          "followers p99",
        ],
        stampedes.map(([name, rounds]) => [
          name,
          rounds.map((r) => r.refreshRequests).join(", "),
          `${sum(rounds, (r) => r.invalidGrants)}`,
          `${sum(rounds, (r) => r.callers - r.ok)} / ${sum(rounds, (r) => r.callers)}`,
          `${rounds.filter((r) => r.loss !== "none").length}`,
          followers(rounds).length ? ms(p(followers(rounds), 50)) : "n/a",
          followers(rounds).length ? ms(p(followers(rounds), 99)) : "n/a",
        ]),
      ),
    ].join("\n");
    return {
      title: "Shared stores (PostgreSQL, Redis, SQLite)",
      how:
        "Local PostgreSQL (127.0.0.1:5432), Redis (127.0.0.1:6379) and a SQLite file, a table, prefix or file made " +
        `for the run. Hot path: a fresh token stored once; ${num(HOT_N)} interleaved pairs of \`oauth.getToken\` and ` +
        "the read the store issues, with the same client, after 200 warm-up pairs. Stampede: 4 forked worker " +
        `processes × 250 callers ask for one expired token at once, ${STAMPEDE_ROUNDS} rounds per store, against a ` +
        "loopback server whose refresh tokens are single-use (25 ms per answer); followers' time runs from the " +
        "moment the first caller of the winning process had the token (its write had committed) to each caller of " +
        "the other processes having it. The old store is the core README's former get/set/delete example, which " +
        "the core now coordinates within one process only.",
      body,
      targets: [
        ...hot.map(([name, , t]) => ({
          name: `getToken over ${name.split(" ")[0]} p99 ≤ 2× the store's bare read p99`,
          value: `${ms(p(t.ours, 99))} vs ${ms(p(t.bare, 99))}`,
          met: p(t.ours, 99) <= 2 * p(t.bare, 99),
        })),
        {
          name: "4 processes × 250 callers on an expired token: exactly 1 refresh request per round (every store)",
          value: ours
            .map(
              ([name, rounds]) => `${name.split(" ")[0]}: ${rounds.map((r) => r.refreshRequests).join(", ")}`,
            )
            .join("; "),
          met: ours.every(([, rounds]) => rounds.every((r) => r.refreshRequests === 1)),
        },
        ...ours.map(([name, rounds]) => ({
          name: `followers in other processes hold the new token ≤ 50 ms (p99) after the winner's write, ${name}`,
          value: ms(p(followers(rounds), 99)),
          met: p(followers(rounds), 99) <= 50,
        })),
      ],
    };
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${tableName}, ${tableName}_naive`);
    await pool.end();
    for (const key of await redis.keys(`po-bench*${process.pid}*`)) await redis.del(key);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  }
});
