import {
  checkDueQuery,
  type DueIndex,
  type DuePage,
  type DueQuery,
  SharedTokenStoreBase,
  type TokenData,
  type VersionedRecord,
  type WriteCondition,
  type WriteResult,
} from "@partner-oauth/core";
import { checkInteger, checkText, checkTtl } from "./checks.js";
import { malformed, parseCount, parseRecord, serialize, throwMalformed } from "./rows.js";
import type { SharedStatements } from "./statements.js";

/**
 * A `SharedTokenStore` over one SQL table, whatever the database: the read and the lease operations
 * run the shared statements and check every argument and row the same way. A store adds how it runs a
 * statement and its own compare-and-set, whose SQL differs between databases.
 */
export abstract class SqlTokenStore extends SharedTokenStoreBase implements DueIndex {
  readonly #sql: SharedStatements;

  protected constructor(statements: SharedStatements) {
    super();
    this.#sql = statements;
  }

  /** Runs one statement and returns its rows; a failure rejects with the store's `StoreError`. */
  protected abstract run(
    operation: string,
    sql: string,
    params: unknown[],
  ): Promise<Record<string, unknown>[]>;

  /** The compare-and-set (`json` null deletes), with its arguments already checked. */
  protected abstract write(
    operation: string,
    key: string,
    json: string | null,
    version: number | undefined,
    fence: number | undefined,
  ): Promise<WriteResult>;

  async read(key: string): Promise<VersionedRecord> {
    checkText(key, "key");
    const row = (await this.run("read", this.#sql.read, [key]))[0];
    if (row === undefined) return { token: undefined, version: 0 };
    const version = parseCount(row.version);
    const token = parseRecord(row.record);
    if (version === undefined || token === null || (token !== undefined && version === 0)) throw malformed();
    return { token, version };
  }

  // async: a bad argument rejects, like a failed statement, instead of throwing at the call.
  async compareAndSet(key: string, token: TokenData, condition: WriteCondition): Promise<WriteResult> {
    return this.#checkedWrite("compareAndSet", key, serialize(token), condition);
  }

  async compareAndDelete(key: string, condition: WriteCondition): Promise<WriteResult> {
    return this.#checkedWrite("compareAndDelete", key, null, condition);
  }

  async acquireLease(key: string, owner: string, ttlMs: number): Promise<number | undefined> {
    checkText(key, "key");
    checkText(owner, "owner");
    checkTtl(ttlMs);
    const row = (await this.run("acquireLease", this.#sql.acquireLease, [key, owner, Math.ceil(ttlMs)]))[0];
    return row === undefined ? undefined : (parseCount(row.fence) ?? throwMalformed());
  }

  async renewLease(key: string, owner: string, fence: number, ttlMs: number): Promise<boolean> {
    checkText(key, "key");
    checkText(owner, "owner");
    checkInteger(fence, "fence");
    checkTtl(ttlMs);
    const rows = await this.run("renewLease", this.#sql.renewLease, [key, owner, fence, Math.ceil(ttlMs)]);
    return rows.length > 0;
  }

  async releaseLease(key: string, owner: string, fence: number): Promise<void> {
    checkText(key, "key");
    checkText(owner, "owner");
    checkInteger(fence, "fence");
    await this.run("releaseLease", this.#sql.releaseLease, [key, owner, fence]);
  }

  /** The due index is the `refresh_due_at` column, which every write sets from the record's `refreshDueAt`. */
  async listDue(query: DueQuery): Promise<DuePage> {
    const { prefix, before, limit, after } = checkDueQuery(query);
    const rows = await this.run("listDue", this.#sql.listDue, [
      before,
      prefix,
      after?.refreshDueAt ?? -1,
      after?.key ?? "",
      limit,
    ]);
    const grants = rows.map((row) => {
      const refreshDueAt = parseCount(row.due);
      if (typeof row.key !== "string" || refreshDueAt === undefined) throwMalformed();
      return { key: row.key, refreshDueAt };
    });
    return { grants, next: grants.length === limit ? grants.at(-1) : undefined };
  }

  #checkedWrite(operation: string, key: string, json: string | null, condition: WriteCondition) {
    checkText(key, "key");
    const version = condition?.version;
    const fence = condition?.fence;
    if (version !== undefined) checkInteger(version, "condition.version");
    if (fence !== undefined) checkInteger(fence, "condition.fence");
    return this.write(operation, key, json, version, fence);
  }
}
