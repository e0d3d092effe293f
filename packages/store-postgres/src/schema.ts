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
  return `${schemaStatements(table).join(";\n")};`;
}

/** The statements of `schemaSql`, one by one (for clients that run one statement per query). */
export function schemaStatements(table: string = DEFAULT_TABLE): string[] {
  const t = quoteTable(table);
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
  key text PRIMARY KEY,
  record json,
  version bigint NOT NULL CHECK (version >= 0),
  fence bigint NOT NULL DEFAULT 0 CHECK (fence >= 0),
  lease_owner text,
  lease_until timestamptz,
  updated_at timestamptz,
  refresh_due_at bigint
)`,
    // Tables made before the due index existed get its column; new ones have it already.
    `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS refresh_due_at bigint`,
    `CREATE INDEX IF NOT EXISTS ${dueIndexName(table)} ON ${t} (refresh_due_at, key COLLATE "C")
  WHERE refresh_due_at IS NOT NULL`,
  ];
}

/** The due index's name: the table's own, with `_due` (in the table's schema, where PostgreSQL puts it). */
function dueIndexName(table: string): string {
  const name = table.split(".").at(-1) as string;
  return `"${name.slice(0, 59)}_due"`;
}

export interface CreateSchemaOptions {
  /** Table name, optionally schema-qualified (the schema must exist). Default `partner_oauth_tokens`. */
  table?: string | undefined;
}

/**
 * Creates the store's table and its due index if they do not exist (`IF NOT EXISTS`), and adds the
 * `refresh_due_at` column to a table made before it. Safe to run at every start; run it from one process at a time
 * (PostgreSQL's `IF NOT EXISTS` does not serialize concurrent creators).
 * @throws StoreError when the statement fails (`retryable` for a connection failure).
 */
export async function createSchema(client: QueryClient, options: CreateSchemaOptions = {}): Promise<void> {
  try {
    for (const sql of schemaStatements(options.table ?? DEFAULT_TABLE)) await runQuery(client, sql, []);
  } catch (error) {
    throw storeError("createSchema", error);
  }
}
