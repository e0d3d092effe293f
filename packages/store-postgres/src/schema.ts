import { InvalidInputError } from "@partner-oauth/core";
import { storeError } from "./errors.js";
import { type QueryClient, runQuery } from "./queryable.js";

/** The table the store uses unless told otherwise. */
export const DEFAULT_TABLE = "partner_oauth_tokens";

/** One unquoted-style identifier: a letter or underscore, then letters, digits, underscores; ≤ 63 bytes. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The table name as SQL: `table` or `schema.table`, each part checked against a safe identifier pattern
 * (letters, digits, underscores, not starting with a digit, at most 63 characters) and double-quoted,
 * so a reserved word works and the name is used exactly as given (case included).
 * @throws InvalidInputError for anything else.
 */
export function quoteTable(table: string = DEFAULT_TABLE): string {
  const parts = typeof table === "string" ? table.split(".") : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new InvalidInputError(
      "table must be a SQL identifier (letters, digits, underscores), optionally schema-qualified",
      { operation: "store" },
    );
  }
  return parts.map((part) => `"${part}"`).join(".");
}

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
