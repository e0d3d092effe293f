import { DEFAULT_TABLE, quoteTable } from "@partner-oauth/store-sql";
import { storeError } from "./errors.js";
import { type QueryClient, runQuery } from "./queryable.js";

/**
 * The table's DDL. `record` is `json`, not `jsonb`: `json` keeps the record's text as written (key
 * order included, which `jsonb` does not) and accepts every string `JSON.stringify` produces (`jsonb`
 * refuses `\u0000` and lone surrogates). A `NULL` record is a tombstone: the row stays after a delete,
 * so neither `version` nor `fence` ever goes back. Rows are never removed by the store; do not remove
 * them yourself while a client may still hold a version or a fence of them.
 */
export function schemaSql(table: string = DEFAULT_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (
  key text PRIMARY KEY,
  record json,
  version bigint NOT NULL CHECK (version >= 0),
  fence bigint NOT NULL DEFAULT 0 CHECK (fence >= 0),
  lease_owner text,
  lease_until timestamptz,
  updated_at timestamptz
)`;
}

export interface CreateSchemaOptions {
  /** Table name, optionally schema-qualified (the schema must exist). Default `partner_oauth_tokens`. */
  table?: string | undefined;
}

/**
 * Creates the store's table if it does not exist (`CREATE TABLE IF NOT EXISTS`; the primary key is
 * the only index the store needs). Safe to run at every start; run it from one process at a time
 * (PostgreSQL's `IF NOT EXISTS` does not serialize concurrent creators).
 * @throws StoreError when the statement fails (`retryable` for a connection failure).
 */
export async function createSchema(client: QueryClient, options: CreateSchemaOptions = {}): Promise<void> {
  const sql = schemaSql(options.table ?? DEFAULT_TABLE);
  try {
    await runQuery(client, sql, []);
  } catch (error) {
    throw storeError("createSchema", error);
  }
}
