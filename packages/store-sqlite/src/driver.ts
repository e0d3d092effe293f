import { storeError } from "./errors.js";

/**
 * What the store needs of a SQLite connection: run one statement with positional parameters and get
 * its rows (those of a `RETURNING` clause for a write; none for a write without one). Build one with
 * the adapter for your driver below, or write your own in a few lines.
 */
export interface SqliteDriver {
  all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

/** The part of a better-sqlite3 `Database` the adapter uses. */
export interface BetterSqlite3Database {
  prepare(sql: string): {
    readonly reader: boolean;
    all(...params: unknown[]): unknown[];
    run(...params: unknown[]): unknown;
  };
  pragma(source: string): unknown;
}

/** The part of a `node:sqlite` `DatabaseSync` (Node 22.5+) the adapter uses. */
export interface NodeSqliteDatabase {
  prepare(sql: string): { all(...params: unknown[]): unknown[] };
  exec(sql: string): void;
}

/** The part of a `bun:sqlite` `Database` the adapter uses. */
export interface BunSqliteDatabase {
  query(sql: string): { all(...params: unknown[]): unknown[] };
  exec(sql: string): void;
}

/** The part of a Cloudflare D1 binding (`env.DB`) the adapter uses. */
export interface D1DatabaseLike {
  prepare(sql: string): { bind(...params: unknown[]): { all(): Promise<{ results?: unknown[] }> } };
}

export interface FileDriverOptions {
  /** How long a statement waits for another process's write lock before failing. Default 5 s. */
  busyTimeoutMs?: number | undefined;
}

/** SQL for a database file shared by processes: WAL (readers never wait for a writer) and a busy timeout. */
function filePragmas({ busyTimeoutMs = 5_000 }: FileDriverOptions): string[] {
  const timeout = Number.isSafeInteger(busyTimeoutMs) && busyTimeoutMs >= 0 ? busyTimeoutMs : 5_000;
  return ["journal_mode = WAL", `busy_timeout = ${timeout}`];
}

/** Applies the pragmas; a file that refuses them (corrupt, not a database) fails here, typed. */
function configure(operation: string, pragmas: string[], apply: (pragma: string) => unknown): void {
  try {
    for (const pragma of pragmas) apply(pragma);
  } catch (error) {
    throw storeError(operation, error);
  }
}

/** Statements prepared once per SQL text: the store runs a handful of fixed statements. */
function cached<T>(prepare: (sql: string) => T): (sql: string) => T {
  const statements = new Map<string, T>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

/**
 * better-sqlite3 (12.x on Node 20): switches the file to WAL and sets the busy timeout. It binds
 * numbered parameters (`?1`) only by name, so they become `@p1` with an object of values.
 */
export function betterSqlite3Driver(
  db: BetterSqlite3Database,
  options: FileDriverOptions = {},
): SqliteDriver {
  configure("betterSqlite3Driver", filePragmas(options), (pragma) => db.pragma(pragma));
  const statement = cached((sql) => db.prepare(sql.replace(/\?(\d+)/g, "@p$1")));
  return {
    async all(sql, params) {
      const prepared = statement(sql);
      const named = Object.fromEntries(params.map((value, i) => [`p${i + 1}`, value]));
      if (prepared.reader) return prepared.all(named) as Record<string, unknown>[];
      prepared.run(named);
      return [];
    },
  };
}

/** `node:sqlite` (`DatabaseSync`, Node 22.5 and later, Deno): switches the file to WAL and sets the busy timeout. */
export function nodeSqliteDriver(db: NodeSqliteDatabase, options: FileDriverOptions = {}): SqliteDriver {
  configure("sqliteDriver", filePragmas(options), (pragma) => db.exec(`PRAGMA ${pragma}`));
  const statement = cached((sql) => db.prepare(sql));
  return { all: async (sql, params) => statement(sql).all(...params) as Record<string, unknown>[] };
}

/** `bun:sqlite` under Bun: switches the file to WAL and sets the busy timeout. */
export function bunSqliteDriver(db: BunSqliteDatabase, options: FileDriverOptions = {}): SqliteDriver {
  configure("sqliteDriver", filePragmas(options), (pragma) => db.exec(`PRAGMA ${pragma}`));
  return { all: async (sql, params) => db.query(sql).all(...params) as Record<string, unknown>[] };
}

/** A Cloudflare D1 binding: D1 runs every statement alone and atomically on its own primary. */
export function d1Driver(db: D1DatabaseLike): SqliteDriver {
  return {
    async all(sql, params) {
      const result = await db
        .prepare(sql)
        .bind(...params)
        .all();
      return (result.results ?? []) as Record<string, unknown>[];
    },
  };
}
