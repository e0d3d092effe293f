import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Miniflare } from "miniflare";
import { afterAll } from "vitest";
import { betterSqlite3Driver, createSchema, d1Driver, SqliteTokenStore } from "../src/index.js";

const dirs: string[] = [];
const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh database file in a temporary folder, with the store's table. */
export async function tempDatabaseFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "po-sqlite-"));
  dirs.push(dir);
  const file = join(dir, "tokens.sqlite");
  const db = new Database(file);
  await createSchema(betterSqlite3Driver(db));
  db.close();
  return file;
}

/** Another better-sqlite3 connection to `file`, closed when the file's tests end. */
export function connect(file: string, options: Database.Options = {}): Database.Database {
  const db = new Database(file, options);
  closers.push(() => db.close());
  return db;
}

/** A store over its own better-sqlite3 connection to `file`. */
export function fileStore(file: string, busyTimeoutMs?: number): SqliteTokenStore {
  return new SqliteTokenStore({ driver: betterSqlite3Driver(connect(file), { busyTimeoutMs }) });
}

/** A local D1 database (workerd through Miniflare) with the store's table; every `open()` is a new binding proxy. */
export async function localD1() {
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    d1Databases: { DB: `po-${crypto.randomUUID()}` },
  });
  closers.push(() => mf.dispose());
  const open = async () => new SqliteTokenStore({ driver: d1Driver(await mf.getD1Database("DB")) });
  await createSchema(d1Driver(await mf.getD1Database("DB")));
  return { mf, open };
}
