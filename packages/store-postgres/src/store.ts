import { InvalidInputError, StoreError, type WriteResult } from "@partner-oauth/core";
import {
  DEFAULT_TABLE,
  parseCount,
  postgresDialect,
  quoteTable,
  type SharedStatements,
  SqlTokenStore,
  sharedStatements,
  throwMalformed,
} from "@partner-oauth/store-sql";
import { storeError } from "./errors.js";
import { isQueryClient, type QueryClient, runQuery } from "./queryable.js";

export interface PostgresTokenStoreOptions {
  /**
   * Runs the store's statements: a `pg` `Pool` (recommended: each call takes any free connection) or
   * `Client`, any object with `query(text, values)`, or such a function.
   */
  query: QueryClient;
  /** Table name, optionally schema-qualified. Default `partner_oauth_tokens`. Create it with `createSchema`. */
  table?: string | undefined;
}

/**
 * The record's `refreshDueAt` as the due-index column, from the very text written ($2), so the
 * column can never disagree with the record; a delete ($2 NULL) clears it.
 */
const DUE_FROM_RECORD = `floor(($2::json->>'refreshDueAt')::double precision)::bigint`;

/** The SQL of every operation, one statement each, for one table. */
export interface StoreStatements extends SharedStatements {
  write: string;
}

/**
 * The statements the store runs against `table` (exported for review and for tests). Each is one
 * statement, so it is atomic on its own and holds no lock after it returns; leases are judged by
 * the database clock (`clock_timestamp()`), never by the caller's.
 */
export function storeStatements(table: string = DEFAULT_TABLE): StoreStatements {
  const t = quoteTable(table);
  return {
    ...sharedStatements(t, postgresDialect),
    // $1 key, $2 record (JSON text; NULL deletes), $3 expected version (NULL: any), $4 fence (NULL: none).
    // `cur` locks the row and, under READ COMMITTED, yields its newest committed version (a row lock
    // waits for a concurrent writer, then reads what it wrote). The update is decided on those locked
    // values, so the decision and the reported conflict agree, and of concurrent writers on one
    // version exactly one wins. A key with no row takes `ins`: a fresh insert, or, when a concurrent
    // statement created the row first, ON CONFLICT re-checks the same conditions on the row it locks.
    write: `WITH cur AS (
  SELECT version, fence FROM ${t} WHERE key = $1 FOR UPDATE
), upd AS (
  UPDATE ${t} AS t SET record = $2::json, version = t.version + 1, updated_at = clock_timestamp(),
    refresh_due_at = ${DUE_FROM_RECORD}
  FROM cur
  WHERE t.key = $1
    AND ($3::bigint IS NULL OR cur.version = $3::bigint)
    AND ($4::bigint IS NULL OR cur.fence <= $4::bigint)
  RETURNING t.version
), ins AS (
  INSERT INTO ${t} AS t (key, record, version, updated_at, refresh_due_at)
  SELECT $1, $2::json, 1, clock_timestamp(), ${DUE_FROM_RECORD}
  WHERE NOT EXISTS (SELECT FROM cur)
    AND ($3::bigint IS NULL OR $3::bigint = 0)
    AND ($4::bigint IS NULL OR $4::bigint >= 0)
  ON CONFLICT (key) DO UPDATE
    SET record = EXCLUDED.record, version = t.version + 1, updated_at = EXCLUDED.updated_at,
      refresh_due_at = EXCLUDED.refresh_due_at
    WHERE ($3::bigint IS NULL OR t.version = $3::bigint) AND ($4::bigint IS NULL OR t.fence <= $4::bigint)
  RETURNING t.version
)
SELECT COALESCE((SELECT version FROM upd), (SELECT version FROM ins))::text AS written,
  (SELECT version FROM cur)::text AS seen_version`,
  };
}

/**
 * A `SharedTokenStore` over one PostgreSQL table: versioned records with tombstones, compare-and-set
 * writes and deletes, and per-key leases whose fences grow with every grant, judged by the database
 * clock. Every method is one SQL statement (no transaction or advisory lock is held between calls),
 * so any number of processes can share the table through pooled connections.
 *
 * Failures: a statement that fails rejects with `StoreError` (`retryable: true` for a lost or refused
 * connection, a timeout or a server shutdown; `false` for a missing table, a permission error, ...);
 * a row the store did not write (not a JSON object, a bad version) rejects with `InvalidInputError`,
 * as does a bad argument (a key with a NUL character, a record that is not an object, a TTL that is
 * not a positive number of ms). No message holds a key, a token or a statement parameter.
 */
export class PostgresTokenStore extends SqlTokenStore {
  readonly #client: QueryClient;
  readonly #writeSql: string;

  constructor(options: PostgresTokenStoreOptions) {
    const statements = storeStatements(options?.table ?? DEFAULT_TABLE);
    super(statements);
    if (!isQueryClient(options?.query)) {
      throw new InvalidInputError(
        "query must be a pg Pool or Client, or another query(text, values) client",
        {
          operation: "store",
        },
      );
    }
    this.#client = options.query;
    this.#writeSql = statements.write;
  }

  protected async write(
    operation: string,
    key: string,
    json: string | null,
    version: number | undefined,
    fence: number | undefined,
  ): Promise<WriteResult> {
    const rows = await this.run(operation, this.#writeSql, [key, json, version ?? null, fence ?? null]);
    const row = rows[0] ?? throwMalformed();
    if (row.written !== null && row.written !== undefined) {
      return { ok: true, version: parseCount(row.written) ?? throwMalformed() };
    }
    // Refused. `seen_version` is the locked row's version; no row means the key was created by a
    // concurrent statement, after this one's snapshot: a version the caller cannot have read.
    if (version === undefined) return { ok: false, conflict: "fence" };
    if (row.seen_version === null || row.seen_version === undefined)
      return { ok: false, conflict: "version" };
    const seen = parseCount(row.seen_version) ?? throwMalformed();
    return { ok: false, conflict: seen === version ? "fence" : "version" };
  }

  protected async run(
    operation: string,
    text: string,
    values: unknown[],
  ): Promise<Record<string, unknown>[]> {
    let result: unknown;
    try {
      result = await runQuery(this.#client, text, values);
    } catch (error) {
      throw storeError(operation, error);
    }
    const rows = (result as { rows?: unknown } | null | undefined)?.rows;
    if (!Array.isArray(rows)) {
      throw new StoreError(`PostgreSQL token store: ${operation} failed: the client answered without rows`, {
        retryable: false,
      });
    }
    return rows as Record<string, unknown>[];
  }
}
