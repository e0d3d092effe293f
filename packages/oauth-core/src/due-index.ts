import { InvalidInputError } from "./errors.js";
import type { TokenStore } from "./store.js";

/** Where a page of due grants ends: the next page starts after this grant (in due order, then key). */
export interface DueCursor {
  refreshDueAt: number;
  key: string;
}

/** A stored grant that must be refreshed by `refreshDueAt` (epoch ms) to stay alive. */
export interface DueGrant {
  key: string;
  refreshDueAt: number;
}

export interface DueQuery {
  /** Only keys that start with it (the core asks for one provider's keys, `square:`). */
  prefix: string;
  /** Only grants whose `refreshDueAt` is at or before it (epoch ms). */
  before: number;
  /** At most this many grants (a positive integer). */
  limit: number;
  /** Only grants after this one in (refreshDueAt, key) order; omit for the first page. */
  after?: DueCursor | undefined;
}

export interface DuePage {
  /** The due grants, ordered by `refreshDueAt`, then key. */
  grants: DueGrant[];
  /** Where to go on from, when more may follow; absent when the query is exhausted. */
  next?: DueCursor | undefined;
}

/**
 * A store that keeps each record's `refreshDueAt` in a form it can query (an indexed column, a
 * sorted set), so `sweep` finds the grants about to die without reading every record. The index
 * must change with the record in the same atomic write: a grant written without its due time would
 * never be swept. Records without `refreshDueAt`, and deleted ones, are never listed.
 */
export interface DueIndex {
  listDue(query: DueQuery): Promise<DuePage>;
}

/** Whether a store can list due grants (every store of this repository can; a plain get/set one cannot). */
export function hasDueIndex(store: TokenStore): store is TokenStore & DueIndex {
  return typeof (store as Partial<DueIndex>).listDue === "function";
}

/**
 * A store's check of a due query: `InvalidInputError` for anything malformed; `before` rounded down
 * to whole ms (stores keep due times as integers).
 */
export function checkDueQuery(query: DueQuery): DueQuery {
  const bad = (what: string) => new InvalidInputError(`listDue: ${what}`, { operation: "store" });
  if (typeof query?.prefix !== "string" || query.prefix.includes("\u0000")) {
    throw bad("prefix must be a string without NUL characters");
  }
  if (typeof query.before !== "number" || !Number.isFinite(query.before))
    throw bad("before must be a finite number");
  if (!Number.isSafeInteger(query.limit) || query.limit < 1) throw bad("limit must be a positive integer");
  const after = query.after;
  if (after !== undefined && (!Number.isSafeInteger(after?.refreshDueAt) || typeof after.key !== "string"))
    throw bad("after must be a cursor from a previous page");
  return { prefix: query.prefix, before: Math.floor(query.before), limit: query.limit, after };
}

/** Whether a grant comes after the cursor in (refreshDueAt, key) order. */
export function isAfter(grant: DueGrant, cursor: DueCursor | undefined): boolean {
  if (cursor === undefined) return true;
  return (
    grant.refreshDueAt > cursor.refreshDueAt ||
    (grant.refreshDueAt === cursor.refreshDueAt && grant.key > cursor.key)
  );
}

/** Orders grants by (refreshDueAt, key), as every store's page is ordered. */
export function compareDue(a: DueGrant, b: DueGrant): number {
  return a.refreshDueAt - b.refreshDueAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
