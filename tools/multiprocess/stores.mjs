import { encryptedStore, MemoryTokenStore } from "@partner-oauth/core";
import { PostgresTokenStore } from "@partner-oauth/store-postgres";
import pg from "pg";

export const PG = {
  host: process.env.PGHOST_TEST ?? "127.0.0.1",
  port: Number(process.env.PGPORT_TEST ?? 5432),
  user: process.env.PGUSER_TEST ?? "postgres",
  database: process.env.PGDATABASE_TEST ?? "test",
};

/**
 * The Redis of the `redis` kind. An environment variable, so forked workers inherit it: a test that
 * starts a server of its own (on its own port) sets it before it starts the cluster.
 */
export const redisUrl = () => process.env.REDIS_URL_TEST ?? "redis://127.0.0.1:6379";

/**
 * Opens the store under test in this process. `name` tags its connections (PostgreSQL's
 * application_name), so a test can find and kill them; with `encryptionKey` (base64 of 32 bytes)
 * the store is wrapped in `encryptedStore`.
 */
export async function openStore(kind, { encryptionKey, ...options }) {
  const opened = await openPlainStore(kind, options);
  if (!encryptionKey) return opened;
  const keys = [{ id: "test-key", key: Uint8Array.from(Buffer.from(encryptionKey, "base64")) }];
  return { ...opened, store: encryptedStore(opened.store, { keys }) };
}

async function openPlainStore(kind, { table, name, user }) {
  if (kind === "postgres") {
    const pool = new pg.Pool({ ...PG, ...(user ? { user } : {}), application_name: name, max: 4 });
    // An idle connection killed by the server must not crash the process (pg emits it on the pool).
    pool.on("error", () => {});
    return { store: new PostgresTokenStore({ query: pool, table }), close: () => pool.end() };
  }
  if (kind === "naive-postgres") {
    const pool = new pg.Pool({ ...PG, application_name: name, max: 4 });
    pool.on("error", () => {});
    return { store: new NaiveKeyValueStore(pool, `${table}_naive`), close: () => pool.end() };
  }
  if (kind === "sqlite") {
    // `table` names the database file (one per test run); every process opens its own connection.
    const { betterSqlite3Driver, SqliteTokenStore } = await import("@partner-oauth/store-sqlite");
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(table);
    return {
      store: new SqliteTokenStore({ driver: betterSqlite3Driver(db) }),
      close: async () => db.close(),
    };
  }
  if (kind === "redis" || kind === "redis-notify") {
    // `table` is the key prefix; `name` the connection's CLIENT SETNAME, so a test can find and kill it.
    // `redis-notify` adds a subscribe-mode connection that wakes waiters on a peer's write.
    // The offline queue stays on: a command sent while the client reconnects waits for the connection.
    // Loaded here, so the other kinds need neither package.
    const { fromNodeRedis, RedisTokenStore } = await import("@partner-oauth/store-redis");
    const { createClient } = await import("redis");
    const client = createClient({
      url: redisUrl(),
      name,
      socket: { connectTimeout: 15_000, reconnectStrategy: (retries) => Math.min(20 * retries, 200) },
    });
    // A connection killed by the server must not crash the process (node-redis emits it as "error").
    client.on("error", () => {});
    await client.connect();
    const subscriber = kind === "redis-notify" ? client.duplicate() : undefined;
    subscriber?.on("error", () => {});
    await subscriber?.connect();
    return {
      store: new RedisTokenStore({ client: fromNodeRedis(client), prefix: table, subscriber }),
      close: async () => {
        await subscriber?.close().catch(() => subscriber.destroy());
        await client.close().catch(() => client.destroy());
      },
    };
  }
  if (kind === "memory") return { store: new MemoryTokenStore(), close: async () => {} };
  throw new Error(`unknown store kind ${kind}`);
}

/**
 * The store the core README showed before the shared-store contract: get/set/delete of JSON text in
 * any key-value table. Fine for one process; the benchmark runs it across processes to show why not.
 */
export class NaiveKeyValueStore {
  constructor(pool, table) {
    this.pool = pool;
    this.table = table;
  }
  static createTable(pool, table) {
    return pool.query(
      `CREATE TABLE IF NOT EXISTS ${table}_naive (key text PRIMARY KEY, value text NOT NULL)`,
    );
  }
  async get(key) {
    const { rows } = await this.pool.query(`SELECT value FROM ${this.table} WHERE key = $1`, [key]);
    return rows[0] ? JSON.parse(rows[0].value) : undefined;
  }
  async set(key, token) {
    await this.pool.query(
      `INSERT INTO ${this.table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [key, JSON.stringify(token)],
    );
  }
  async delete(key) {
    await this.pool.query(`DELETE FROM ${this.table} WHERE key = $1`, [key]);
  }
}
