import { inspect } from "node:util";
import { InvalidInputError, StoreError, type TokenData } from "@partner-oauth/core";
import { ReplyError } from "ioredis";
import { ErrorReply } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RedisEvalClient, RedisTokenStore, redisKeys, SCRIPTS } from "../src/index.js";
import { RedisProxy, until } from "./support/proxy.js";
import { type Connection, Connections, LIBRARIES, rejection, storeOn, TestPrefix } from "./support/redis.js";

const connections = new Connections();
const prefix = new TestPrefix();
let admin: Connection;

const SECRET = "sekrit-access-token-4f9c2a7e1b3d5f60";
const token: TokenData = {
  accessToken: SECRET,
  tokenType: "Bearer",
  refreshToken: `${SECRET}-refresh`,
  scopes: ["a"],
  raw: { secret: SECRET },
};
const validJson = JSON.stringify({ accessToken: SECRET, tokenType: "Bearer", scopes: [] });

beforeAll(async () => {
  admin = await connections.open("node-redis");
});

afterAll(async () => {
  await prefix.drop(admin);
  await connections.close();
});

/** Nothing secret in any way an error is printed or logged. */
function expectNoSecrets(error: unknown, ...secrets: string[]): void {
  const printed = [String(error), inspect(error), JSON.stringify(error), (error as Error).message];
  for (const text of printed) for (const secret of secrets) expect(text).not.toContain(secret);
}

/** A key's type and contents, to show a refused call left it as it was. */
async function snapshot(key: string): Promise<unknown> {
  const type = await admin.command(["TYPE", key]);
  if (type === "hash") return ["hash", await admin.command(["HGETALL", key])];
  if (type === "string") return ["string", await admin.command(["GET", key])];
  if (type === "list") return ["list", await admin.command(["LRANGE", key, "0", "-1"])];
  return [type];
}

/** Every operation of a store on one key. */
function everyCall(store: RedisTokenStore, key: string): [string, () => Promise<unknown>][] {
  return [
    ["get", () => store.get(key)],
    ["read", () => store.read(key)],
    ["set", () => store.set(key, token)],
    ["delete", () => store.delete(key)],
    ["compareAndSet", () => store.compareAndSet(key, token, { version: 1 })],
    ["compareAndDelete", () => store.compareAndDelete(key, { version: 1 })],
    ["acquireLease", () => store.acquireLease(key, "o", 10_000)],
    ["renewLease", () => store.renewLease(key, "o", 1, 10_000)],
    ["releaseLease", () => store.releaseLease(key, "o", 1)],
  ];
}

describe("values the store did not write are refused with InvalidInputError, and left as they are", () => {
  /** [what, commands that put it in the record key `k`] */
  const foreignRecordKeys: [string, (k: string) => string[][]][] = [
    ["a string", (k) => [["SET", k, `access=${SECRET}`]]],
    ["a list", (k) => [["RPUSH", k, SECRET]]],
    ["a set", (k) => [["SADD", k, SECRET]]],
    [
      "a hash with a field of its own",
      (k) => [["HSET", k, "version", "1", "record", validJson, "x", SECRET]],
    ],
    ["a hash without a version", (k) => [["HSET", k, "record", validJson]]],
    ["a version that is no count", (k) => [["HSET", k, "version", "v1", "record", validJson]]],
    ["a negative version", (k) => [["HSET", k, "version", "-3", "record", validJson]]],
    ["a version with a leading zero", (k) => [["HSET", k, "version", "01", "record", validJson]]],
    ["a version beyond 15 digits", (k) => [["HSET", k, "version", "9007199254740993", "record", validJson]]],
    ["a fence that is no count", (k) => [["HSET", k, "version", "1", "fence", "x", "record", validJson]]],
    ["a record at version 0", (k) => [["HSET", k, "version", "0", "record", validJson]]],
  ];
  for (const library of LIBRARIES) {
    for (const [what, setup] of foreignRecordKeys) {
      it(`${library}: ${what}: every operation rejects, nothing changes, no value in the error`, async () => {
        const space = prefix.child();
        const store = storeOn(await connections.open(library), space);
        const key = `garbage:${what}`;
        const keys = redisKeys(key, space);
        for (const command of setup(keys.record)) await admin.command(command);
        const before = await snapshot(keys.record);
        for (const [name, call] of everyCall(store, key)) {
          const error = await rejection(call());
          expect(error, name).toBeInstanceOf(InvalidInputError);
          expectNoSecrets(error, SECRET, key);
        }
        expect(await snapshot(keys.record)).toEqual(before);
        expect(await admin.command(["EXISTS", keys.lease])).toBe(0);
      });
    }
  }

  const foreignRecords: [string, string][] = [
    ["not JSON", `access=${SECRET}`],
    ["a JSON array", "[1, 2]"],
    ["a JSON string", JSON.stringify(SECRET)],
    ["a JSON number", "42"],
    ["an object without token fields", JSON.stringify({ token: SECRET })],
    ["accessToken of the wrong type", JSON.stringify({ accessToken: 7, tokenType: SECRET, scopes: [] })],
    ["scopes not an array", JSON.stringify({ accessToken: SECRET, tokenType: "Bearer", scopes: "a" })],
    ["binary-looking text", "\u00ff\u00fe\u0000"],
  ];
  for (const [what, value] of foreignRecords) {
    it(`a record field that is ${what}: read and get reject, without the value in the error`, async () => {
      const space = prefix.child();
      const store = storeOn(await connections.open("node-redis"), space);
      const key = `garbage:${what}`;
      await admin.command(["HSET", redisKeys(key, space).record, "version", "3", "record", value]);
      for (const call of [() => store.read(key), () => store.get(key)]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(InvalidInputError);
        expectNoSecrets(error, SECRET, key);
      }
    });
  }

  for (const library of LIBRARIES) {
    it(`${library}: a lease key of another type, or a string without TTL: lease calls reject, the record stays usable`, async () => {
      const space = prefix.child();
      const store = storeOn(await connections.open(library), space);
      for (const [what, setup] of [
        ["a hash", (k: string) => ["HSET", k, "owner", SECRET]],
        ["a string without TTL", (k: string) => ["SET", k, SECRET]],
      ] as const) {
        const key = `garbage-lease:${what}`;
        const keys = redisKeys(key, space);
        await store.set(key, token);
        await admin.command(setup(keys.lease));
        const before = await snapshot(keys.lease);
        for (const call of [
          () => store.acquireLease(key, "o", 10_000),
          () => store.renewLease(key, "o", 1, 10_000),
          () => store.releaseLease(key, "o", 1),
        ]) {
          const error = await rejection(call());
          expect(error).toBeInstanceOf(InvalidInputError);
          expectNoSecrets(error, SECRET, key);
        }
        expect(await snapshot(keys.lease)).toEqual(before);
        expect((await store.read(key)).token).toEqual(token);
      }
    });
  }

  it("bad arguments are refused before any command: an empty key, a non-object record, a bad TTL, version or fence", async () => {
    const store = storeOn(await connections.open("node-redis"), prefix.child());
    await expect(store.get("")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.set("k:bad", undefined as unknown as TokenData)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(store.set("k:bad", [] as unknown as TokenData)).rejects.toBeInstanceOf(InvalidInputError);
    const cyclic = { ...token } as TokenData & { self?: unknown };
    cyclic.self = cyclic;
    await expect(store.set("k:bad", cyclic)).rejects.toBeInstanceOf(InvalidInputError);
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2e12]) {
      await expect(store.acquireLease("k:bad", "o", ttl)).rejects.toBeInstanceOf(InvalidInputError);
    }
    await expect(store.acquireLease("k:bad", "", 1_000)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.compareAndSet("k:bad", token, { version: 1.5 })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(store.compareAndDelete("k:bad", { fence: -1 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.renewLease("k:bad", "o", Number.NaN, 1_000)).rejects.toBeInstanceOf(InvalidInputError);
    expect(await store.read("k:bad")).toEqual({ token: undefined, version: 0 });
  });

  it("a prefix with a brace (it would break the hash tag) or a client without evalsha/eval is refused", () => {
    const client = { evalsha: async () => [], eval: async () => [] };
    for (const prefix of ["a{", "}b", "{x}:"]) {
      expect(() => new RedisTokenStore({ client, prefix })).toThrow(InvalidInputError);
    }
    expect(() => new RedisTokenStore({ client: {} as never })).toThrow(InvalidInputError);
    expect(() => new RedisTokenStore(undefined as never)).toThrow(InvalidInputError);
  });
});

describe("a dropped or refused connection is a retryable StoreError, and nothing is deleted", () => {
  let proxy: RedisProxy;
  beforeAll(async () => {
    proxy = await new RedisProxy().start();
  });
  afterEach(() => {
    proxy.setMode("pass");
  });
  afterAll(async () => {
    await proxy.stop();
  });

  for (const library of LIBRARIES) {
    it(`${library}: the connection drops while the server has not yet seen a write: retryable StoreError, nothing written, the next call succeeds`, async () => {
      const space = prefix.child();
      const key = "p:t:~dropped";
      const good = storeOn(admin, space);
      await good.set(key, token);
      const before = await good.read(key);
      // ioredis re-sends a command cut off by a drop unless told not to; then only its command timeout ends it.
      const store = storeOn(
        await connections.open(library, { port: proxy.port, commandTimeoutMs: 3_000 }),
        space,
      );
      expect(await store.read(key)).toEqual(before);
      proxy.setMode("hold");
      const write = rejection(store.compareAndSet(key, { ...token, accessToken: "new" }, before));
      await until(() => proxy.held > 0);
      proxy.cut();
      const error = await write;
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable).toBe(true);
      expectNoSecrets(error, SECRET, key);
      proxy.setMode("pass");
      expect(await good.read(key)).toEqual(before);
      const again = await retried(() => store.compareAndSet(key, { ...token, accessToken: "new" }, before));
      expect(again).toEqual({ ok: true, version: before.version + 1 });
    });

    it(`${library}: the connection drops after the server ran a write, before its reply: retryable StoreError; a re-read shows the write landed once`, async () => {
      const space = prefix.child();
      const key = "p:t:~reply-lost";
      const store = storeOn(
        await connections.open(library, { port: proxy.port, commandTimeoutMs: 3_000 }),
        space,
      );
      await store.set(key, token);
      const before = await store.read(key);
      proxy.setMode("drop-replies");
      const write = rejection(store.compareAndSet(key, { ...token, accessToken: "new" }, before));
      await until(() => proxy.dropped > 0);
      proxy.cut();
      const error = await write;
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable).toBe(true);
      proxy.setMode("pass");
      const after = await storeOn(admin, space).read(key);
      expect(after.version).toBe(before.version + 1);
      expect(after.token?.accessToken).toBe("new");
    });

    it(`${library}: the server cannot be reached (connections cut, new ones refused), offline queue off: every operation is a retryable StoreError, nothing deleted`, async () => {
      const space = prefix.child();
      const key = "p:t:~refused";
      const good = storeOn(admin, space);
      await good.set(key, token);
      const before = await good.read(key);
      const cut = await new RedisProxy().start();
      const store = storeOn(await connections.open(library, { port: cut.port, failFast: true }), space);
      expect(await store.read(key)).toEqual(before);
      await cut.stop();
      for (const [name, call] of everyCall(store, key)) {
        const error = await rejection(call());
        expect(error, name).toBeInstanceOf(StoreError);
        expect((error as StoreError).retryable, name).toBe(true);
        expectNoSecrets(error, SECRET, key);
      }
      expect(await good.read(key)).toEqual(before);
    });
  }
});

describe("server errors", () => {
  it("a user without permission for EVALSHA/EVAL: StoreError, not retryable, with the reply code (NOPERM)", async () => {
    const user = `po-store-test-${process.pid}-${Date.now()}`;
    await admin.command(["ACL", "SETUSER", user, "on", "nopass", "~*", "+@all", "-evalsha", "-eval"]);
    try {
      for (const library of LIBRARIES) {
        const limited = await connections.open(library, { username: user });
        const error = await rejection(storeOn(limited, prefix.child()).set("k", token));
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).retryable).toBe(false);
        expect((error as StoreError).message).toContain("NOPERM");
        expectNoSecrets(error, SECRET);
      }
    } finally {
      await admin.command(["ACL", "DELUSER", user]);
    }
  });

  for (const library of LIBRARIES) {
    it(`${library}: after SCRIPT FLUSH, EVALSHA answers NOSCRIPT and the store falls back to EVAL (which loads the script again)`, async () => {
      const connection = await connections.open(library);
      const calls: string[] = [];
      const spy: RedisEvalClient = {
        evalsha: (sha, keys, args) => {
          calls.push("evalsha");
          return connection.client.evalsha(sha, keys, args);
        },
        eval: (script, keys, args) => {
          calls.push("eval");
          return connection.client.eval(script, keys, args);
        },
      };
      const store = new RedisTokenStore({ client: spy, prefix: prefix.child() });
      await store.set("p:t:~flush", token);
      await admin.command(["SCRIPT", "FLUSH"]);
      calls.length = 0;
      expect((await store.read("p:t:~flush")).token).toEqual(token);
      expect(calls).toEqual(["evalsha", "eval"]);
      calls.length = 0;
      expect((await store.read("p:t:~flush")).version).toBe(1);
      expect(calls).toEqual(["evalsha"]);
    });
  }

  it("the libraries' own error classes are classified: reply codes, connection errors, a closed client", async () => {
    const cases: [string, unknown, boolean][] = [
      ["node-redis LOADING reply", new ErrorReply("LOADING Redis is loading the dataset in memory"), true],
      ["ioredis BUSY reply", new ReplyError("BUSY Redis is busy running a script."), true],
      [
        "node-redis READONLY reply",
        new ErrorReply("READONLY You can't write against a read only replica."),
        true,
      ],
      ["ioredis NOPERM reply", new ReplyError(`NOPERM no permissions (${SECRET})`), false],
      ["a script error", new ErrorReply(`ERR user_script:1: ${SECRET}`), false],
      [
        "a refused connection",
        Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
        true,
      ],
      ["ioredis's closed connection", new Error("Connection is closed."), true],
      ["ioredis's command timeout", new Error("Command timed out"), true],
      ["an unknown error", new Error(SECRET), false],
    ];
    for (const [what, thrown, retryable] of cases) {
      const client: RedisEvalClient = {
        evalsha: () => Promise.reject(thrown),
        eval: () => Promise.reject(thrown),
      };
      const error = await rejection(new RedisTokenStore({ client }).get("k"));
      expect(error, what).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable, what).toBe(retryable);
      expectNoSecrets(error, SECRET);
    }
    // A reply this store's scripts never give: not a token, not a retry.
    const odd: RedisEvalClient = { evalsha: async () => "OK", eval: async () => "OK" };
    const error = await rejection(new RedisTokenStore({ client: odd }).get("k"));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).retryable).toBe(false);
    expect(Object.keys(SCRIPTS).sort()).toEqual([
      "acquireLease",
      "listDue",
      "read",
      "releaseLease",
      "renewLease",
      "write",
    ]);
  });
});

/** Retries a call that may meet a connection still reconnecting (the clients back off up to 500 ms). */
async function retried<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof StoreError) || !error.retryable || attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
