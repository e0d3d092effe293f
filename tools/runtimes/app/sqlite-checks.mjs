// The SQLite store's conformance checks (store, shared store, due index) over any driver: `bun:sqlite` under Bun and `node:sqlite`
// under Deno (sqlite-cli.mjs), D1 under workerd (worker.mjs passes its binding).
import { dueIndexChecks, sharedTokenStoreChecks, tokenStoreChecks } from "@partner-oauth/core/testing";
import { createSchema, SqliteTokenStore } from "@partner-oauth/store-sqlite";

/** Runs every check on `driver` (a fresh table per check); one row per check. */
export async function runSqliteChecks(driver, name) {
  const rows = [];
  for (const [kind, checks] of [
    ["store", tokenStoreChecks],
    ["shared", sharedTokenStoreChecks],
    ["due", dueIndexChecks],
  ]) {
    for (const check of checks) {
      const table = `t_${crypto.randomUUID().replaceAll("-", "")}`;
      try {
        await createSchema(driver, { table });
        const store = new SqliteTokenStore({ driver, table });
        await (kind === "store" ? check.run(store) : check.run(() => store));
        rows.push({ provider: name, step: check.name, ok: true, detail: "ok" });
      } catch (error) {
        rows.push({
          provider: name,
          step: check.name,
          ok: false,
          detail: `${error?.name}: ${error?.message}`,
        });
      }
    }
  }
  return rows;
}

export const SQLITE_CHECKS = tokenStoreChecks.length + sharedTokenStoreChecks.length + dueIndexChecks.length;
