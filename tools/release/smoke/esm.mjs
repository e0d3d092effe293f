// ESM consumer, run by the smoke test in the temporary project: imports every entry point of the
// installed tarballs, runs the core's store checks, then the mocked lifecycles.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as braintree from "@partner-oauth/braintree";
import * as core from "@partner-oauth/core";
import * as testing from "@partner-oauth/core/testing";
import * as gocardless from "@partner-oauth/gocardless";
import * as mocks from "@partner-oauth/mocks";
import * as oauth2 from "@partner-oauth/oauth2";
import * as opencollective from "@partner-oauth/opencollective";
import * as square from "@partner-oauth/square";
import * as storePostgres from "@partner-oauth/store-postgres";
import * as storeRedis from "@partner-oauth/store-redis";
import * as storeSql from "@partner-oauth/store-sql";
import * as storeSqlite from "@partner-oauth/store-sqlite";
import * as truelayer from "@partner-oauth/truelayer";
import lifecycleModule from "./lifecycle.cjs";

const loaded = {
  "@partner-oauth/core": core,
  "@partner-oauth/core/testing": testing,
  "@partner-oauth/gocardless": gocardless,
  "@partner-oauth/truelayer": truelayer,
  "@partner-oauth/square": square,
  "@partner-oauth/braintree": braintree,
  "@partner-oauth/opencollective": opencollective,
  "@partner-oauth/oauth2": oauth2,
  "@partner-oauth/mocks": mocks,
  "@partner-oauth/store-postgres": storePostgres,
  "@partner-oauth/store-redis": storeRedis,
  "@partner-oauth/store-sql": storeSql,
  "@partner-oauth/store-sqlite": storeSqlite,
};
const entries = JSON.parse(readFileSync(new URL("./entries.json", import.meta.url), "utf8"));
assert.deepEqual(Object.keys(loaded).sort(), Object.keys(entries).sort());
for (const [specifier, names] of Object.entries(entries)) {
  for (const name of names) assert.ok(loaded[specifier][name], `${specifier} exports ${name}`);
}
const exportCount = Object.values(loaded).reduce((n, m) => n + Object.keys(m).length, 0);
console.log(`import: ${Object.keys(loaded).length} entry points, ${exportCount} exports`);
for (const check of testing.tokenStoreChecks) await check.run(new core.MemoryTokenStore());
console.log(`import: MemoryTokenStore passes ${testing.tokenStoreChecks.length} tokenStoreChecks`);

await lifecycleModule.lifecycle(
  { core, gocardless, truelayer, mocks },
  ["gocardless", "truelayer"],
  "import:",
);
