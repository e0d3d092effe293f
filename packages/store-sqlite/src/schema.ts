import { DEFAULT_TABLE, quoteTable } from "@partner-oauth/store-sql";
import type { SqliteDriver } from "./driver.js";
import { storeError } from "./errors.js";

/**
 * The table's DDL: the PostgreSQL store's columns in SQLite's types. `record` is JSON text (NULL is a
 * tombstone: the row stays after a delete, so neither `version` nor `fence` ever goes back) and
 * `lease_until` is epoch milliseconds of the database's clock. Rows are never removed by the store.
 */
export function schemaSql(table: string = DEFAULT_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (
  key TEXT PRIMARY KEY NOT NULL,
  record TEXT,
  version INTEGER NOT NULL CHECK (version >= 0),
  fence INTEGER NOT NULL DEFAULT 0 CHECK (fence >= 0),
  lease_owner TEXT,
  lease_until INTEGER,
  updated_at INTEGER,
  refresh_due_at INTEGER
)`;
}

/** The due index over `refresh_due_at` (partial: most tables hold grants that never fall due). */
export function dueIndexSql(table: string = DEFAULT_TABLE): string {
  const name = table.split(".").at(-1) as string;
  return `CREATE INDEX IF NOT EXISTS "${name.slice(0, 59)}_due" ON ${quoteTable(table)} (refresh_due_at, key)
  WHERE refresh_due_at IS NOT NULL`;
}

export interface CreateSchemaOptions {
  /** Table name. Default `partner_oauth_tokens`. */
  table?: string | undefined;
}

/** Creates the store's table if it does not exist. Safe to run at every start. */
export async function createSchema(driver: SqliteDriver, options: CreateSchemaOptions = {}): Promise<void> {
  try {
    const table = options.table ?? DEFAULT_TABLE;
    await driver.all(schemaSql(table), []);
    // A table made before the due index existed gets its column (SQLite has no ADD COLUMN IF NOT EXISTS).
    const columns = await driver.all(`SELECT name FROM pragma_table_info('${table.split(".").at(-1)}')`, []);
    if (!columns.some((column) => column.name === "refresh_due_at")) {
      await driver.all(`ALTER TABLE ${quoteTable(table)} ADD COLUMN refresh_due_at INTEGER`, []);
    }
    await driver.all(dueIndexSql(table), []);
  } catch (error) {
    throw storeError("createSchema", error);
  }
}
