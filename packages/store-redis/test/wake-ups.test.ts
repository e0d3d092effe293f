import { encryptedStore, type TokenData } from "@partner-oauth/core";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromIoredisSubscriber, type RedisSubscriber, RedisTokenStore } from "../src/index.js";
import { type Connection, Connections, REDIS, TestPrefix } from "./support/redis.js";

const connections = new Connections();
const prefix = new TestPrefix();
const closers: (() => unknown)[] = [];
let admin: Connection;

const token: TokenData = { accessToken: "a", tokenType: "Bearer", scopes: [], raw: {} };

/** A subscribe-mode connection of either library. */
async function subscriber(library: "node-redis" | "ioredis"): Promise<RedisSubscriber> {
  if (library === "node-redis") {
    const client = createClient({ socket: { host: REDIS.host, port: REDIS.port } });
    client.on("error", () => {});
    await client.connect();
    closers.push(() => client.destroy());
    return client;
  }
  const client = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true });
  client.on("error", () => {});
  await client.connect();
  closers.push(() => client.disconnect());
  return fromIoredisSubscriber(client);
}

beforeAll(async () => {
  admin = await connections.open("node-redis");
});

afterAll(async () => {
  for (const close of closers.splice(0)) await close();
  await prefix.drop(admin);
  await connections.close();
});

describe("wake-ups: a subscribed store's waiters learn of another process's write at once", () => {
  for (const library of ["node-redis", "ioredis"] as const) {
    it(`${library}: a waiter wakes on the write, long before its 10 s timeout; other keys do not wake it`, async () => {
      // A prefix with glob characters: the pattern must match it literally.
      const name = `${prefix.child()}a*b?[c]:`;
      const writer = new RedisTokenStore({ client: admin.client, prefix: name });
      const waiting = new RedisTokenStore({
        client: (await connections.open(library)).client,
        prefix: name,
        subscriber: await subscriber(library),
      });
      await writer.set("p:t:~other", token);
      const started = performance.now();
      const woken = waiting.waitForChange("p:t:~a", 0, 10_000);
      // The subscription is made on first use; give it a moment, then write another key, then ours.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await writer.set("p:t:~other", token);
      let early = false;
      void Promise.race([woken.then(() => true), new Promise((r) => setTimeout(() => r(false), 300))]).then(
        (done) => {
          early = done as boolean;
        },
      );
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(early).toBe(false);
      await writer.set("p:t:~a", token);
      await woken;
      expect(performance.now() - started).toBeLessThan(5_000);
    });
  }

  it("without a subscriber, waitForChange is a plain wait of its timeout", async () => {
    const store = new RedisTokenStore({ client: admin.client, prefix: prefix.child() });
    const started = performance.now();
    await store.waitForChange("p:t:~a", 0, 150);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("encryptedStore passes wake-ups through", async () => {
    const name = prefix.child();
    const writer = encryptedStore(new RedisTokenStore({ client: admin.client, prefix: name }), {
      keys: [{ id: "k", key: new Uint8Array(32).fill(7) }],
    });
    const waiting = encryptedStore(
      new RedisTokenStore({
        client: (await connections.open("node-redis")).client,
        prefix: name,
        subscriber: await subscriber("node-redis"),
      }),
      { keys: [{ id: "k", key: new Uint8Array(32).fill(7) }] },
    );
    const started = performance.now();
    const woken = (waiting.waitForChange as NonNullable<typeof waiting.waitForChange>)("p:t:~a", 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writer.set("p:t:~a", token);
    await woken;
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
