import { createServer, type Socket } from "node:net";
import { inspect } from "node:util";
import { InvalidInputError, StoreError, type TokenData } from "@partner-oauth/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchema, PostgresTokenStore } from "../src/index.js";
import { Pools, sleep, sqlName, storeOn, TestSchema } from "./support/db.js";

const pools = new Pools();
let schema: TestSchema;
let table: string;
let pool: ReturnType<Pools["open"]>;

const SECRET = "sekrit-access-token-4f9c2a7e1b3d5f60";
const token: TokenData = {
  accessToken: SECRET,
  tokenType: "Bearer",
  refreshToken: `${SECRET}-refresh`,
  scopes: ["a"],
  raw: { secret: SECRET },
};

beforeAll(async () => {
  schema = await new TestSchema(pools).create();
  table = await schema.table();
  pool = pools.open();
});

afterAll(async () => {
  await schema?.drop();
  await pools.close();
});

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** Nothing secret in any way an error is printed or logged. */
function expectNoSecrets(error: unknown, ...secrets: string[]): void {
  const printed = [String(error), inspect(error), JSON.stringify(error), (error as Error).message];
  for (const text of printed) for (const secret of secrets) expect(text).not.toContain(secret);
}

/** A TCP port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("rows the store did not write are refused with InvalidInputError", () => {
  const cases: [string, string, string][] = [
    ["a JSON array", "'[1, 2]'", "1"],
    ["a JSON string", `'"${SECRET}"'`, "1"],
    ["a JSON number", "'42'", "1"],
    ["an object without token fields", `'{"token": "${SECRET}"}'`, "1"],
    ["accessToken of the wrong type", `'{"accessToken": 7, "tokenType": "${SECRET}", "scopes": []}'`, "1"],
    ["scopes not an array", `'{"accessToken": "${SECRET}", "tokenType": "Bearer", "scopes": "a"}'`, "1"],
    [
      "a record at version 0 (never written)",
      `'{"accessToken": "${SECRET}", "tokenType": "B", "scopes": []}'`,
      "0",
    ],
    [
      "a version beyond 2^53",
      `'{"accessToken": "${SECRET}", "tokenType": "B", "scopes": []}'`,
      "9007199254740993",
    ],
  ];
  for (const [what, record, version] of cases) {
    it(`${what}: read and get reject, without the row's values in the error`, async () => {
      const key = `garbage:${what}`;
      await pool.query(
        `INSERT INTO ${sqlName(table)} (key, record, version) VALUES ($1, ${record}, ${version})`,
        [key],
      );
      const store = storeOn(pool, table);
      for (const call of [() => store.read(key), () => store.get(key)]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(InvalidInputError);
        expectNoSecrets(error, SECRET, key);
      }
    });
  }

  it("a table whose columns have other types (text record, text version): refused, not misread", async () => {
    const other = `${schema.name}.foreign_table`;
    await pool.query(`CREATE TABLE ${sqlName(other)} (key text PRIMARY KEY, record text, version text)`);
    await pool.query(
      `INSERT INTO ${sqlName(other)} VALUES ('not-json', 'access=${SECRET}', '1'), ('bad-version', '{"accessToken":"a","tokenType":"b","scopes":[]}', 'v1'), ('negative', '{"accessToken":"a","tokenType":"b","scopes":[]}', '-3')`,
    );
    const store = storeOn(pool, other);
    for (const key of ["not-json", "bad-version", "negative"]) {
      const error = await rejection(store.read(key));
      expect(error).toBeInstanceOf(InvalidInputError);
      expectNoSecrets(error, SECRET);
    }
  });

  it("bad arguments are refused before any statement: NUL in a key, a non-object record, a bad TTL or version", async () => {
    const store = storeOn(pool, table);
    await expect(store.get("a\u0000b")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.set("k:bad", undefined as unknown as TokenData)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(store.set("k:bad", [] as unknown as TokenData)).rejects.toBeInstanceOf(InvalidInputError);
    const cyclic = { ...token } as TokenData & { self?: unknown };
    cyclic.self = cyclic;
    await expect(store.set("k:bad", cyclic)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.acquireLease("k:bad", "o", 0)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.acquireLease("k:bad", "o", Number.NaN)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.compareAndSet("k:bad", token, { version: 1.5 })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(await store.read("k:bad")).toEqual({ token: undefined, version: 0 });
  });

  it("a table name that is no safe identifier is refused", () => {
    for (const bad of ['x"; DROP TABLE y; --', "a.b.c", "1abc", "", "a-b", "x".repeat(64)]) {
      expect(() => new PostgresTokenStore({ query: pool, table: bad })).toThrow(InvalidInputError);
    }
    expect(() => new PostgresTokenStore({ query: {} as never })).toThrow(InvalidInputError);
  });
});

describe("store failures are StoreErrors, retryable only for connection failures", () => {
  it("connection refused: every operation rejects with a retryable StoreError, and nothing is deleted", async () => {
    const key = "p:t:~refused";
    const good = storeOn(pool, table);
    await good.set(key, token);
    const before = await good.read(key);

    const dead = pools.open({ port: await closedPort(), connectionTimeoutMillis: 5_000 });
    const store = storeOn(dead, table);
    const calls: (() => Promise<unknown>)[] = [
      () => store.get(key),
      () => store.read(key),
      () => store.set(key, token),
      () => store.delete(key),
      () => store.compareAndSet(key, token, { version: before.version }),
      () => store.compareAndDelete(key, { version: before.version }),
      () => store.acquireLease(key, "o", 10_000),
      () => store.renewLease(key, "o", 1, 10_000),
      () => store.releaseLease(key, "o", 1),
      () => createSchema(dead, { table }),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable).toBe(true);
      expect((error as StoreError).message).toContain("ECONNREFUSED");
      expectNoSecrets(error, SECRET, key);
    }
    expect(await good.read(key)).toEqual(before);
  });

  it("a server that accepts but never answers: the pool's connect timeout is a retryable StoreError", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as { port: number };
      const hung = pools.open({ port, connectionTimeoutMillis: 500, max: 1 });
      const error = await rejection(storeOn(hung, table).get("p:t:~hung"));
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("a statement timeout (57014) and pg's query_timeout while a row lock is held: retryable StoreErrors", async () => {
    const key = "p:t:~slow";
    const good = storeOn(pool, table);
    await good.set(key, token);
    const statementTimeout = pools.open({ options: "-c statement_timeout=300", max: 1 });
    const queryTimeout = pools.open({ query_timeout: 300, max: 1 });
    const blocker = await pool.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query(`SELECT 1 FROM ${sqlName(table)} WHERE key = $1 FOR UPDATE`, [key]);
      const cancelled = await rejection(storeOn(statementTimeout, table).set(key, token));
      expect(cancelled).toBeInstanceOf(StoreError);
      expect((cancelled as StoreError).retryable).toBe(true);
      expect((cancelled as StoreError).message).toContain("57014");
      const timedOut = await rejection(storeOn(queryTimeout, table).acquireLease(key, "o", 1_000));
      expect(timedOut).toBeInstanceOf(StoreError);
      expect((timedOut as StoreError).retryable).toBe(true);
    } finally {
      await blocker.query("ROLLBACK");
      blocker.release();
    }
  });

  it("a missing table: StoreError, not retryable, with the SQLSTATE (42P01)", async () => {
    const store = storeOn(pool, `${schema.name}.no_such_table`);
    const calls = [
      () => store.get("k"),
      () => store.set("k", token),
      () => store.acquireLease("k", "o", 1_000),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable).toBe(false);
      expect((error as StoreError).message).toContain("42P01");
      expectNoSecrets(error, SECRET);
    }
  });

  it("no permission: StoreError, not retryable, with the SQLSTATE (42501)", async () => {
    const role = `${schema.name}_noaccess`;
    await pool.query(`CREATE ROLE "${role}" NOLOGIN`);
    try {
      const limited = pools.open({ options: `-c role=${role}`, max: 1 });
      const error = await rejection(storeOn(limited, table).set("k", token));
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable).toBe(false);
      expect((error as StoreError).message).toContain("42501");
      await limited.end();
    } finally {
      await pool.query(`DROP ROLE "${role}"`);
    }
  });

  it("pg_terminate_backend of the store's connection mid-statement: retryable StoreError, nothing written, the next call succeeds through the pool", async () => {
    const key = "p:t:~terminated";
    const name = `${schema.name}_victim`;
    const victim = pools.open({ application_name: name, max: 1 });
    const store = storeOn(victim, table);
    await store.set(key, token);
    const before = await store.read(key);

    // Hold the row so the store's write waits on it, then kill the waiting backend.
    const blocker = await pool.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query(`SELECT 1 FROM ${sqlName(table)} WHERE key = $1 FOR UPDATE`, [key]);
      const write = rejection(store.compareAndSet(key, { ...token, accessToken: "new" }, before));
      let killed = 0;
      for (let i = 0; i < 200 && killed === 0; i++) {
        await sleep(50);
        const result = await pool.query(
          "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [name],
        );
        killed = result.rows.length;
      }
      expect(killed).toBe(1);
      const error = await write;
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable).toBe(true);
      expectNoSecrets(error, SECRET, key);
    } finally {
      await blocker.query("ROLLBACK");
      blocker.release();
    }
    expect(await store.read(key)).toEqual(before);
    const again = await store.compareAndSet(key, { ...token, accessToken: "new" }, before);
    expect(again).toEqual({ ok: true, version: before.version + 1 });
  });

  it("pg_terminate_backend of an idle pooled connection: the next call succeeds (or fails retryable, never wrongly)", async () => {
    const name = `${schema.name}_idle`;
    const idle = pools.open({ application_name: name, max: 1 });
    const store = storeOn(idle, table);
    await store.set("p:t:~idle", token);
    await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [
      name,
    ]);
    await sleep(200);
    let read: Awaited<ReturnType<typeof store.read>> | undefined;
    try {
      read = await store.read("p:t:~idle");
    } catch (error) {
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable).toBe(true);
      read = await store.read("p:t:~idle");
    }
    expect(read.token).toEqual(token);
  });
});
