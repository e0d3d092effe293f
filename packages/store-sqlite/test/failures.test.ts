import { fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { InvalidInputError, StoreError, type TokenData } from "@partner-oauth/core";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { betterSqlite3Driver, SqliteTokenStore } from "../src/index.js";
import { connect, fileStore, tempDatabaseFile } from "./support.js";

const token: TokenData = {
  accessToken: "at-secret",
  tokenType: "Bearer",
  refreshToken: "rt-secret",
  scopes: [],
  raw: {},
};

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect(String(error)).not.toContain("secret");
  expect(JSON.stringify(error)).not.toContain("secret");
  return error as StoreError;
}

describe("a file the store cannot use gives a typed store error and changes nothing", () => {
  it("locked by another process's write transaction past the busy timeout: retryable", async () => {
    const file = await tempDatabaseFile();
    const store = fileStore(file, 100);
    await store.set("k", token);
    const holder = connect(file);
    holder.exec("BEGIN EXCLUSIVE");
    const error = await failure(store.set("k", { ...token, accessToken: "other" }));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("SQLITE_BUSY");
    holder.exec("ROLLBACK");
    expect((await store.get("k"))?.accessToken).toBe("at-secret");
  });

  it("a full disk (the database may not grow): retryable, and the record before it stays", async () => {
    const file = await tempDatabaseFile();
    const db = connect(file);
    const store = new SqliteTokenStore({ driver: betterSqlite3Driver(db) });
    await store.set("k", token);
    const pages = (db.pragma("page_count", { simple: true }) as number) ?? 0;
    db.pragma(`max_page_count = ${pages}`);
    const big = { ...token, raw: { blob: "x".repeat(200_000) } };
    const error = await failure(store.set("k", big));
    expect(error.message).toContain("SQLITE_FULL");
    expect(error.retryable).toBe(true);
    expect(await store.get("k")).toEqual(token);
  });

  it("a file opened read-only (no write permission): not retryable", async () => {
    const file = await tempDatabaseFile();
    const store = fileStore(file);
    await store.set("k", token);
    const readOnly = new SqliteTokenStore({ driver: betterSqlite3Driver(connect(file, { readonly: true })) });
    const error = await failure(readOnly.set("k", { ...token, accessToken: "other" }));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("SQLITE_READONLY");
    expect((await store.get("k"))?.accessToken).toBe("at-secret");
  });

  it("a corrupt file: not retryable, already when the adapter opens it", async () => {
    const file = await tempDatabaseFile();
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    let error: unknown;
    try {
      betterSqlite3Driver(connect(file));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).retryable).toBe(false);
    expect((error as StoreError).message).toContain("SQLITE_NOTADB");
  });

  it("a table without the store's columns: not retryable", async () => {
    const file = await tempDatabaseFile();
    const store = new SqliteTokenStore({
      driver: betterSqlite3Driver(connect(file)),
      table: "missing_table",
    });
    const error = await failure(store.get("k"));
    expect(error.retryable).toBe(false);
  });
});

describe("rows the store did not write are refused with InvalidInputError", () => {
  it.each([
    ["a record that is not JSON", "not json", 1],
    ["a JSON array", "[1,2]", 1],
    ["a token without an access token", '{"tokenType":"Bearer","scopes":[]}', 1],
    ["a version that is no count", '{"accessToken":"a","tokenType":"Bearer","scopes":[],"raw":{}}', "three"],
    ["a record at version 0", '{"accessToken":"a","tokenType":"Bearer","scopes":[],"raw":{}}', 0],
  ])("%s", async (_label, record, version) => {
    const file = await tempDatabaseFile();
    const db = new Database(file);
    db.prepare('INSERT INTO "partner_oauth_tokens" (key, record, version) VALUES (?, ?, ?)').run(
      "k",
      record,
      1,
    );
    db.prepare('UPDATE "partner_oauth_tokens" SET version = ? WHERE key = ?').run(version, "k");
    db.close();
    await expect(fileStore(file).get("k")).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("bad arguments: a key with NUL, a lease TTL of 0", async () => {
    const store = fileStore(await tempDatabaseFile());
    await expect(store.get("a\u0000b")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.acquireLease("k", "o", 0)).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe("a process killed in the middle of its writes leaves a whole record", () => {
  it("five SIGKILLs at random moments: the file passes integrity_check and holds one whole record", async () => {
    const file = await tempDatabaseFile();
    const script = new URL("./kill-writer.mjs", import.meta.url);
    let lastVersion = 0;
    for (let round = 0; round < 5; round++) {
      const child = fork(script, [file], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      await new Promise((resolve) => child.once("message", resolve));
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 250));
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      const db = new Database(file);
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      db.close();
      const { token: record, version } = await fileStore(file).read("p:t:~killed");
      const raw = record?.raw as { n: number; padding: string };
      expect(record).toMatchObject({ accessToken: `at-${raw.n}`, refreshToken: `rt-${raw.n}` });
      expect(raw.padding).toBe("x".repeat(raw.n % 5000));
      expect(version).toBeGreaterThan(lastVersion);
      lastVersion = version;
    }
  });
});
