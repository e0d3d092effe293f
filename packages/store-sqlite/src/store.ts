import { InvalidInputError, type WriteResult } from "@partner-oauth/core";
import {
  DEFAULT_TABLE,
  parseCount,
  quoteTable,
  type SharedStatements,
  SqlTokenStore,
  sharedStatements,
  sqliteDialect,
  throwMalformed,
} from "@partner-oauth/store-sql";
import type { SqliteDriver } from "./driver.js";
import { storeError } from "./errors.js";

export interface SqliteTokenStoreOptions {
  /** The connection, through its adapter: `betterSqlite3Driver(db)`, `nodeSqliteDriver(db)`, `bunSqliteDriver(db)`, `d1Driver(env.DB)`. */
  driver: SqliteDriver;
  /** Table name. Default `partner_oauth_tokens`. Create it with `createSchema`. */
  table?: string | undefined;
}

/** The SQL of every operation, one statement each, for one table. */
export interface SqliteStatements extends SharedStatements {
  write: string;
  /** What a refused write is checked against: `version`, `fence`. */
  conflict: string;
}

/**
 * The statements the store runs against `table`. The read and the lease statements are the
 * PostgreSQL store's, in SQLite's dialect; the write is one upsert (SQLite has no data-modifying CTE):
 * its SELECT offers a row when the caller expects no record (version 0 or none) or a row exists, and
 * the upsert's WHERE applies the version and fence conditions to the row it replaces. A write
 * statement takes SQLite's write lock before it reads, so it is as atomic as a `BEGIN IMMEDIATE`
 * transaction, without a second round trip.
 */
export function sqliteStatements(table: string = DEFAULT_TABLE): SqliteStatements {
  const t = quoteTable(table);
  return {
    ...sharedStatements(t, sqliteDialect),
    // ?1 key, ?2 record (JSON text; NULL deletes), ?3 expected version (NULL: any), ?4 fence (NULL: none)
    // refresh_due_at is taken from the very text written, so the due index never disagrees with it.
    write: `INSERT INTO ${t} AS t (key, record, version, fence, updated_at, refresh_due_at)
SELECT ?1, ?2, 1, 0, ${sqliteDialect.clock}, CAST(json_extract(?2, '$.refreshDueAt') AS INTEGER)
WHERE ?3 IS NULL OR ?3 = 0 OR EXISTS (SELECT 1 FROM ${t} WHERE key = ?1)
ON CONFLICT (key) DO UPDATE
  SET record = excluded.record, version = t.version + 1, updated_at = excluded.updated_at,
    refresh_due_at = excluded.refresh_due_at
  WHERE (?3 IS NULL OR t.version = ?3) AND (?4 IS NULL OR t.fence <= ?4)
RETURNING version`,
    conflict: `SELECT version, fence FROM ${t} WHERE key = ?1`,
  };
}

/**
 * A `SharedTokenStore` over one SQLite table (a file several processes of one machine share, or a
 * Cloudflare D1 database): versioned records with tombstones, compare-and-set writes and deletes, and
 * per-key leases whose fences grow with every grant, judged by the database's clock. Every operation
 * is one statement. Failures are `StoreError`s (`retryable` for a busy or locked file, an I/O error
 * or a full disk); rows the store did not write are refused with `InvalidInputError`.
 */
export class SqliteTokenStore extends SqlTokenStore {
  readonly #driver: SqliteDriver;
  readonly #sql: SqliteStatements;

  constructor(options: SqliteTokenStoreOptions) {
    const statements = sqliteStatements(options?.table ?? DEFAULT_TABLE);
    super(statements);
    if (typeof options?.driver?.all !== "function") {
      throw new InvalidInputError("driver must be a SqliteDriver: use one of the adapters", {
        operation: "store",
      });
    }
    this.#driver = options.driver;
    this.#sql = statements;
  }

  protected async write(
    operation: string,
    key: string,
    json: string | null,
    version: number | undefined,
    fence: number | undefined,
  ): Promise<WriteResult> {
    const written = (
      await this.run(operation, this.#sql.write, [key, json, version ?? null, fence ?? null])
    )[0];
    if (written !== undefined) return { ok: true, version: parseCount(written.version) ?? throwMalformed() };
    // Refused: say why from the row as it is now (a write in between can only make it "version").
    if (version === undefined) return { ok: false, conflict: "fence" };
    const row = (await this.run(operation, this.#sql.conflict, [key]))[0];
    const current = row === undefined ? 0 : (parseCount(row.version) ?? throwMalformed());
    return { ok: false, conflict: current === version ? "fence" : "version" };
  }

  protected async run(operation: string, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    try {
      return await this.#driver.all(sql, params);
    } catch (error) {
      throw storeError(operation, error);
    }
  }
}
