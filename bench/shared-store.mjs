// Shared store: getToken through the PostgreSQL store against the bare SELECT it issues, and the
// cross-process refresh stampede over PostgreSQL, ours beside the README's old get/set/delete store.

import { createOAuthClient, storeKey } from "@partner-oauth/core";
import { Cluster } from "@partner-oauth/multiprocess/cluster";
import { NaiveKeyValueStore, PG } from "@partner-oauth/multiprocess/stores";
import { createSchema, PostgresTokenStore, storeStatements } from "@partner-oauth/store-postgres";
import pg from "pg";
import { ACCOUNT, freshTokenData, idleProvider } from "./lib/fixtures.mjs";
import { table } from "./lib/markdown.mjs";
import { progress, runSection } from "./lib/section.mjs";
import { num, percentile } from "./lib/stats.mjs";

const HOT_N = Number(process.env.BENCH_STORE_N ?? 3_000);
const STAMPEDE_ROUNDS = Number(process.env.BENCH_STAMPEDE_ROUNDS ?? 5);

/** p50 / p99 of getToken through the store and of the store's own SELECT, interleaved one to one. */
async function hotPath(pool, tableName) {
  const store = new PostgresTokenStore({ query: pool, table: tableName });
  const key = storeKey({ provider: "truelayer", tokenType: "data", account: ACCOUNT });
  await store.set(key, freshTokenData());
  const provider = idleProvider();
  const oauth = createOAuthClient(provider, { store });
  const { read } = storeStatements(tableName);
  const select = () => pool.query(read, [key]);
  const ours = [];
  const floor = [];
  for (let i = 0; i < 200; i++) {
    await oauth.getToken(ACCOUNT);
    await select();
  }
  for (let i = 0; i < HOT_N; i++) {
    let start = performance.now();
    await oauth.getToken(ACCOUNT);
    ours.push(performance.now() - start);
    start = performance.now();
    await select();
    floor.push(performance.now() - start);
  }
  return { ours, floor };
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
  await createSchema(pool, { table: tableName });
  await NaiveKeyValueStore.createTable(pool, tableName);
  try {
    progress("getToken through PostgresTokenStore vs its bare SELECT");
    const hot = await hotPath(pool, tableName);
    progress("stampede: 4 processes × 250 callers over PostgresTokenStore");
    const shared = await stampede("postgres", tableName);
    progress("stampede: the same over the README's old get/set/delete store");
    const naive = await stampede("naive-postgres", tableName);

    const p = (values, q) => percentile(values, q);
    const ms = (value) => `${num(value, 3)} ms`;
    const ratio99 = p(hot.ours, 99) / p(hot.floor, 99);
    const sum = (rounds, pick) => rounds.reduce((n, r) => n + pick(r), 0);
    const followers = shared.flatMap((r) => r.followers);
    const requestsPerRound = shared.map((r) => r.refreshRequests);
    const stampedeRow = (name, rounds) => [
      name,
      `${rounds.length}`,
      rounds.map((r) => r.refreshRequests).join(", "),
      `${sum(rounds, (r) => r.invalidGrants)}`,
      `${sum(rounds, (r) => r.callers - r.ok)} / ${sum(rounds, (r) => r.callers)}`,
      `${rounds.filter((r) => r.loss !== "none").length}`,
      rounds.every((r) => r.followers.length)
        ? ms(
            p(
              rounds.flatMap((r) => r.followers),
              50,
            ),
          )
        : "n/a",
      rounds.every((r) => r.followers.length)
        ? ms(
            p(
              rounds.flatMap((r) => r.followers),
              99,
            ),
          )
        : "n/a",
    ];
    const body = [
      table(
        ["getToken on a fresh token", "p50", "p99", "n"],
        [
          [
            "ours: `oauth.getToken` over `PostgresTokenStore`",
            ms(p(hot.ours, 50)),
            ms(p(hot.ours, 99)),
            num(HOT_N),
          ],
          [
            "floor: the store's `SELECT record, version … WHERE key = $1`, same pool",
            ms(p(hot.floor, 50)),
            ms(p(hot.floor, 99)),
            num(HOT_N),
          ],
        ],
      ),
      "",
      table(
        [
          "4 processes × 250 callers, one expired token",
          "rounds",
          "refresh requests per round",
          "invalid_grant",
          "callers failed",
          "rounds that lost the grant",
          "followers p50",
          "followers p99",
        ],
        [
          stampedeRow("ours: `PostgresTokenStore`", shared),
          stampedeRow("README's old get/set/delete store over PostgreSQL", naive),
        ],
      ),
    ].join("\n");
    return {
      title: "Shared store (PostgreSQL)",
      how:
        "A local PostgreSQL (127.0.0.1:5432), a table made for the run. Hot path: a fresh token stored once; " +
        `${num(HOT_N)} interleaved pairs of \`oauth.getToken\` and the SELECT the store issues, one pooled connection, ` +
        "after 200 warm-up pairs. Stampede: 4 forked worker processes × 250 callers ask for one expired token at " +
        "once, against a loopback server whose refresh tokens are single-use (25 ms per answer); followers' time is " +
        "from the moment the first caller of the winning process had the token (its write had committed) to each " +
        "caller of the other processes having it. The old store is the core README's get/set/delete example; the " +
        "core now coordinates such a store within one process only.",
      body,
      targets: [
        {
          name: "getToken over PostgreSQL p99 ≤ 2× the store's bare SELECT p99",
          value: `${ms(p(hot.ours, 99))} vs ${ms(p(hot.floor, 99))} (${num(ratio99, 2)}×)`,
          met: ratio99 <= 2,
        },
        {
          name: "4 processes × 250 callers on an expired token: exactly 1 refresh request",
          value: `${requestsPerRound.join(", ")} in ${shared.length} rounds`,
          met: requestsPerRound.every((n) => n === 1),
        },
        {
          name: "followers in other processes hold the new token ≤ 50 ms (p99) after the winner's write",
          value: ms(p(followers, 99)),
          met: p(followers, 99) <= 50,
        },
      ],
    };
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${tableName}, ${tableName}_naive`);
    await pool.end();
  }
});
