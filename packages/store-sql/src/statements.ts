import type { SqlDialect } from "./dialect.js";

/** The statements every SQL store runs the same way, one statement each. */
export interface SharedStatements {
  /** $1 key → `record` (JSON text or NULL for a tombstone), `version`. */
  read: string;
  /**
   * $1 key, $2 owner, $3 ttl ms → `fence`, or no row when the lease is held. A key without a row gets
   * one (version 0, no record); an existing row's fence grows. The upsert locks the row and re-checks
   * the expiry on its newest version, so of concurrent acquirers exactly one gets a free lease.
   */
  acquireLease: string;
  /** $1 key, $2 owner, $3 fence, $4 ttl ms → `fence`, or no row when the lease is no longer theirs. */
  renewLease: string;
  /** $1 key, $2 owner, $3 fence. The fence stays: the next grant must be larger. */
  releaseLease: string;
  /**
   * $1 before, $2 prefix, $3 cursor's due time (-1: none), $4 cursor's key, $5 limit → `key`, `due`:
   * records due at or before $1 whose key starts with $2, after the cursor in (due, key) order.
   * The prefix is compared as a substring, so `%` and `_` are no wildcards.
   */
  listDue: string;
}

/** The shared statements for one table (`table` already quoted) in one dialect. */
export function sharedStatements(table: string, sql: SqlDialect): SharedStatements {
  const p = sql.param;
  return {
    read: `SELECT ${sql.recordText("record")} AS record, ${sql.count("version")} AS version FROM ${table} WHERE key = ${p(1)}`,

    acquireLease: `INSERT INTO ${table} AS t (key, record, version, fence, lease_owner, lease_until)
VALUES (${p(1)}, NULL, 0, 1, ${p(2)}, ${sql.clockPlus(p(3))})
ON CONFLICT (key) DO UPDATE
  SET fence = t.fence + 1, lease_owner = excluded.lease_owner, lease_until = ${sql.clockPlus(p(3))}
  WHERE t.lease_until IS NULL OR t.lease_until <= ${sql.clock}
RETURNING ${sql.count("fence")} AS fence`,

    renewLease: `UPDATE ${table} SET lease_until = ${sql.clockPlus(p(4))}
WHERE key = ${p(1)} AND lease_owner = ${p(2)} AND fence = ${p(3, "integer")} AND lease_until > ${sql.clock}
RETURNING ${sql.count("fence")} AS fence`,

    listDue: `SELECT key, ${sql.count("refresh_due_at")} AS due FROM ${table}
WHERE refresh_due_at <= ${p(1, "integer")}
  AND substr(key, 1, length(${p(2, "text")})) = ${p(2, "text")}
  AND (refresh_due_at > ${p(3, "integer")} OR (refresh_due_at = ${p(3, "integer")} AND ${sql.binaryKey("key")} > ${p(4, "text")}))
ORDER BY refresh_due_at, ${sql.binaryKey("key")}
LIMIT ${p(5, "integer")}`,

    releaseLease: `UPDATE ${table} SET lease_owner = NULL, lease_until = NULL
WHERE key = ${p(1)} AND lease_owner = ${p(2)} AND fence = ${p(3, "integer")}`,
  };
}
