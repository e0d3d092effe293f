import { randomBytes } from "node:crypto";
import pg from "pg";
import { createSchema, PostgresTokenStore } from "../../src/index.js";

/** The test database: a local PostgreSQL with trust auth (tools/ensure-postgres.sh sets one up). */
export const PG = {
  host: process.env.PGHOST_TEST ?? "127.0.0.1",
  port: Number(process.env.PGPORT_TEST ?? 5432),
  user: process.env.PGUSER_TEST ?? "postgres",
  database: process.env.PGDATABASE_TEST ?? "test",
};

/** Generous: the machine is shared with heavy test runs. */
const CONNECT_TIMEOUT_MS = 15_000;

/**
 * The pools of one test file, ended by `closePools`. An idle connection the server kills (as the
 * termination test does) must not crash the run: pg emits that on the pool.
 */
export class Pools {
  readonly #pools: pg.Pool[] = [];

  open(config: pg.PoolConfig = {}): pg.Pool {
    const pool = new pg.Pool({ ...PG, max: 3, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, ...config });
    pool.on("error", () => {});
    this.#pools.push(pool);
    return pool;
  }

  async close(): Promise<void> {
    const pools = this.#pools.splice(0);
    await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
  }
}

/**
 * A schema of its own for one test file (random suffix), dropped with everything in it by `drop`.
 * Tables in it are `name` → `"schema"."name"`.
 */
export class TestSchema {
  readonly name = `po_store_test_${randomBytes(6).toString("hex")}`;
  readonly admin: pg.Pool;
  #tables = 0;

  constructor(pools: Pools) {
    this.admin = pools.open({ max: 2 });
  }

  async create(): Promise<this> {
    await this.admin.query(`CREATE SCHEMA "${this.name}"`);
    return this;
  }

  /** A new, empty table of the store's schema. */
  async table(): Promise<string> {
    const table = `${this.name}.tokens_${++this.#tables}`;
    await createSchema(this.admin, { table });
    return table;
  }

  async drop(): Promise<void> {
    await this.admin.query(`DROP SCHEMA IF EXISTS "${this.name}" CASCADE`);
  }
}

/** A store over `pool` (or a new pool) on `table`. */
export function storeOn(query: pg.Pool, table: string): PostgresTokenStore {
  return new PostgresTokenStore({ query, table });
}

/** `"schema"."table"` for SQL written by a test. */
export function sqlName(table: string): string {
  return table
    .split(".")
    .map((part) => `"${part}"`)
    .join(".");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
