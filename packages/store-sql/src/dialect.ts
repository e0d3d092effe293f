/**
 * What differs between the SQL databases the stores run on, for the statements they share:
 * parameters, the database clock leases are judged by, and how counts and records come back.
 */
export interface SqlDialect {
  /** The n-th parameter (1-based); typed where the database cannot infer it. */
  param(n: number, type?: "integer" | "text"): string;
  /** The database clock, comparable with the `lease_until` column. */
  readonly clock: string;
  /** The database clock plus the milliseconds in `param`. */
  clockPlus(param: string): string;
  /** An integer column as read back (PostgreSQL's bigint as text, which node-postgres returns anyway). */
  count(column: string): string;
  /** The record column as JSON text. */
  recordText(column: string): string;
  /** A key column compared and ordered by code point, the same way in the query and the cursor. */
  binaryKey(column: string): string;
}

/** PostgreSQL: `$n` parameters with casts, `clock_timestamp()`, `timestamptz` lease ends. */
export const postgresDialect: SqlDialect = {
  param: (n, type) => (type === "integer" ? `$${n}::bigint` : type === "text" ? `$${n}::text` : `$${n}`),
  clock: "clock_timestamp()",
  clockPlus: (param) => `clock_timestamp() + ${param}::double precision * interval '1 millisecond'`,
  count: (column) => `${column}::text`,
  recordText: (column) => `${column}::text`,
  binaryKey: (column) => `${column} COLLATE "C"`,
};

/** SQLite (and D1): `?n` parameters, lease ends as epoch milliseconds from the database's clock. */
const SQLITE_CLOCK = "CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)";
export const sqliteDialect: SqlDialect = {
  param: (n) => `?${n}`,
  clock: SQLITE_CLOCK,
  clockPlus: (param) => `(${SQLITE_CLOCK} + ${param})`,
  count: (column) => column,
  recordText: (column) => column,
  binaryKey: (column) => column,
};
