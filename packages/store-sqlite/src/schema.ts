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
  updated_at INTEGER
)`;
}

export interface CreateSchemaOptions {
  /** Table name. Default `partner_oauth_tokens`. */
  table?: string | undefined;
}

/** Creates the store's table if it does not exist. Safe to run at every start. */
export async function createSchema(driver: SqliteDriver, options: CreateSchemaOptions = {}): Promise<void> {
  try {
    await driver.all(schemaSql(options.table ?? DEFAULT_TABLE), []);
  } catch (error) {
    throw storeError("createSchema", error);
  }
}
