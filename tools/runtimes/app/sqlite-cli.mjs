// Bun and Deno: the SQLite store's conformance checks on a new file through the runtime's own
// SQLite (`bun:sqlite`, `node:sqlite`); prints the rows as one JSON line for the harness.
import { bunSqliteDriver, nodeSqliteDriver } from "@partner-oauth/store-sqlite";
import { runSqliteChecks } from "./sqlite-checks.mjs";

/** A driver over a new database file in the working folder, through the runtime's own SQLite. */
async function fileDriver() {
  const file = `./tokens-${crypto.randomUUID()}.sqlite`;
  if (typeof globalThis.Bun !== "undefined") {
    const { Database } = await import("bun:sqlite");
    return { driver: bunSqliteDriver(new Database(file)), name: "bun:sqlite" };
  }
  const { DatabaseSync } = await import("node:sqlite");
  return { driver: nodeSqliteDriver(new DatabaseSync(file)), name: "node:sqlite" };
}

const { driver, name } = await fileDriver();
console.log(`RESULT ${JSON.stringify(await runSqliteChecks(driver, name))}`);
