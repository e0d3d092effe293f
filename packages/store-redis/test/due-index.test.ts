import { InvalidInputError, UnsupportedOperationError } from "@partner-oauth/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dueIndexKey, RedisTokenStore } from "../src/index.js";
import { type Connection, Connections, rejection, storeOn, TestPrefix } from "./support/redis.js";

const connections = new Connections();
const prefix = new TestPrefix();
let admin: Connection;

beforeAll(async () => {
  admin = await connections.open("node-redis");
});

afterAll(async () => {
  await prefix.drop(admin);
  await connections.close();
});

const token = (due?: number) => ({
  accessToken: "a",
  tokenType: "Bearer",
  refreshToken: "r",
  scopes: [],
  raw: {},
  ...(due === undefined ? {} : { refreshDueAt: due }),
});

describe("the due index: <prefix>due", () => {
  it("holds each store key scored by its refreshDueAt, written in the record's own script", async () => {
    const p = prefix.child();
    const store = storeOn(admin, p);
    await store.set("square:default:~a", token(1_000));
    await store.set("square:default:~b", token(2_000));
    await store.set("square:default:~b", token());
    expect(await admin.command(["ZRANGE", dueIndexKey(p), "0", "-1", "WITHSCORES"])).toEqual([
      "square:default:~a",
      "1000",
    ]);
    await store.delete("square:default:~a");
    expect(await admin.command(["ZCARD", dueIndexKey(p)])).toBe(0);
  });

  it("pages past thousands of other providers' entries with a cursor, finding every one of its own", async () => {
    const p = prefix.child();
    const store = storeOn(admin, p);
    // 4,500 foreign entries due first, interleaved with 3 of ours: more than one call scans.
    const args = ["ZADD", dueIndexKey(p)];
    for (let i = 0; i < 4_500; i++) args.push(String(i), `other:default:~${i}`);
    await admin.command(args);
    for (const [i, due] of [10, 2_600, 4_499].entries()) await store.set(`mine:default:~${i}`, token(due));
    const found: string[] = [];
    let after: { refreshDueAt: number; key: string } | undefined;
    let calls = 0;
    do {
      const page = await store.listDue({ prefix: "mine:", before: 10_000, limit: 10, after });
      found.push(...page.grants.map((g) => `${g.key}@${g.refreshDueAt}`));
      after = page.next;
      calls++;
    } while (after);
    expect(found).toEqual(["mine:default:~0@10", "mine:default:~1@2600", "mine:default:~2@4499"]);
    expect(calls).toBeGreaterThan(1);
  });

  it("a due index of another type is refused and nothing is written", async () => {
    const p = prefix.child();
    await admin.command(["SET", dueIndexKey(p), "not ours"]);
    const store = storeOn(admin, p);
    expect(await rejection(store.set("k:default:~a", token(5)))).toBeInstanceOf(InvalidInputError);
    expect(await store.read("k:default:~a")).toEqual({ token: undefined, version: 0 });
    expect(await rejection(store.listDue({ prefix: "k:", before: 10, limit: 5 }))).toBeInstanceOf(
      InvalidInputError,
    );
  });

  it("dueIndex: false (Redis Cluster) leaves no index and listDue is unsupported", async () => {
    const p = prefix.child();
    const store = new RedisTokenStore({ client: admin.client, prefix: p, dueIndex: false });
    await store.set("k:default:~a", token(5));
    expect(await admin.command(["EXISTS", dueIndexKey(p)])).toBe(0);
    expect(await rejection(store.listDue({ prefix: "k:", before: 10, limit: 5 }))).toBeInstanceOf(
      UnsupportedOperationError,
    );
  });
});
