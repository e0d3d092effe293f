// Encryption at rest: what `encryptedStore` adds to a getToken on a fresh token, over the in-memory
// store (the wrapper's own cost) and over PostgreSQL (what an app sees), each against the same store
// without it, interleaved call by call.

import { createOAuthClient, encryptedStore, MemoryTokenStore, storeKey } from "@partner-oauth/core";
import { PG } from "@partner-oauth/multiprocess/stores";
import { createSchema, PostgresTokenStore } from "@partner-oauth/store-postgres";
import pg from "pg";
import { ACCOUNT, freshTokenData, idleProvider } from "./lib/fixtures.mjs";
import { table } from "./lib/markdown.mjs";
import { progress, runSection } from "./lib/section.mjs";
import { num, percentile } from "./lib/stats.mjs";

const N = Number(process.env.BENCH_ENCRYPTED_N ?? 5_000);
const KEYS = [{ id: "bench", key: crypto.getRandomValues(new Uint8Array(32)) }];

async function clientOver(store) {
  await store.set(storeKey({ provider: "truelayer", tokenType: "data", account: ACCOUNT }), freshTokenData());
  const provider = idleProvider();
  return createOAuthClient(provider, { store });
}

/** µs per getToken, plain and encrypted, alternating call by call after a warm-up. */
async function pair(plain, encrypted, n) {
  const times = { plain: [], encrypted: [] };
  for (let i = 0; i < 200; i++) {
    await plain.getToken(ACCOUNT);
    await encrypted.getToken(ACCOUNT);
  }
  for (let i = 0; i < n; i++) {
    for (const [name, client] of i % 2
      ? [
          ["plain", plain],
          ["encrypted", encrypted],
        ]
      : [
          ["encrypted", encrypted],
          ["plain", plain],
        ]) {
      const start = performance.now();
      await client.getToken(ACCOUNT);
      times[name].push((performance.now() - start) * 1000);
    }
  }
  return times;
}

runSection(import.meta.url, async () => {
  progress("getToken: MemoryTokenStore with and without encryptedStore");
  const memory = await pair(
    await clientOver(new MemoryTokenStore()),
    await clientOver(encryptedStore(new MemoryTokenStore(), { keys: KEYS })),
    N,
  );
  const pool = new pg.Pool({ ...PG, max: 2 });
  const plainTable = `po_bench_plain_${process.pid}`;
  const sealedTable = `po_bench_sealed_${process.pid}`;
  let postgres;
  try {
    await createSchema(pool, { table: plainTable });
    await createSchema(pool, { table: sealedTable });
    progress("getToken: PostgresTokenStore with and without encryptedStore");
    postgres = await pair(
      await clientOver(new PostgresTokenStore({ query: pool, table: plainTable })),
      await clientOver(
        encryptedStore(new PostgresTokenStore({ query: pool, table: sealedTable }), { keys: KEYS }),
      ),
      Math.min(N, 2_000),
    );
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${plainTable}, ${sealedTable}`);
    await pool.end();
  }

  const us = (value) => `${num(value, 1)} µs`;
  const row = (name, times) => [
    name,
    us(percentile(times.plain, 50)),
    us(percentile(times.encrypted, 50)),
    us(percentile(times.encrypted, 50) - percentile(times.plain, 50)),
    us(percentile(times.plain, 99)),
    us(percentile(times.encrypted, 99)),
    us(percentile(times.encrypted, 99) - percentile(times.plain, 99)),
  ];
  return {
    title: "Encryption at rest (`encryptedStore`)",
    how:
      "`oauth.getToken` on a fresh token, alternating call by call between a client over the store and one " +
      "over the same store wrapped in `encryptedStore` (AES-256-GCM through Web Crypto: three fields decrypted " +
      `per read), after 200 warm-up pairs; ${num(N)} pairs over \`MemoryTokenStore\`, ${num(Math.min(N, 2_000))} ` +
      "over `PostgresTokenStore` (local PostgreSQL, one pool).",
    body: table(
      ["store", "p50 plain", "p50 encrypted", "p50 added", "p99 plain", "p99 encrypted", "p99 added"],
      [row("`MemoryTokenStore`", memory), row("`PostgresTokenStore`", postgres)],
    ),
  };
});
