/** What a query answers: its rows, each a column name → value map. A `pg` `QueryResult` is one. */
export interface QueryResultLike {
  rows: Record<string, unknown>[];
}

/**
 * Anything that runs one parameterized SQL statement: a `pg` `Pool` or `Client` (node-postgres 8),
 * or an adapter over another driver. Statements use `$1`-style placeholders. The store runs every
 * operation as one statement, so a pool may hand each call a different connection.
 */
export interface Queryable {
  query(text: string, values: unknown[]): Promise<QueryResultLike>;
}

/** The same as a bare function, e.g. `(text, values) => pool.query(text, values)`. */
export type QueryFunction = (text: string, values: unknown[]) => Promise<QueryResultLike>;

/** A `Queryable` or a `QueryFunction`. */
export type QueryClient = Queryable | QueryFunction;

/** Calls the client, keeping `this` for an object's `query` method. */
export function runQuery(client: QueryClient, text: string, values: unknown[]): Promise<QueryResultLike> {
  return typeof client === "function" ? client(text, values) : client.query(text, values);
}

/** Whether a value can be used as a client (checked once, at construction). */
export function isQueryClient(value: unknown): value is QueryClient {
  if (typeof value === "function") return true;
  return (
    typeof value === "object" && value !== null && typeof (value as { query?: unknown }).query === "function"
  );
}
