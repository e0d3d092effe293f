import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "../cluster.mjs";
import { redisUrl } from "../stores.mjs";
import { scanKeys } from "./redis-keys.js";
import { expectClean, type RoundReport, rounds, summarize } from "./report.js";

/** Every key of this run starts with it; removed afterwards. */
const prefix = `po-multiprocess-notify:${process.pid}:${Date.now()}:`;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await new Cluster({ store: "redis-notify", table: prefix }).start();
});

afterAll(async () => {
  await cluster?.stop();
  summarize("4 processes × 50 callers over Redis with pub/sub wake-ups");
  const admin = createClient({ url: redisUrl() });
  await admin.connect();
  const keys = await scanKeys(admin, `${prefix}*`);
  if (keys.length > 0) await admin.unlink(keys);
  await admin.quit();
});

describe("4 processes × 50 callers over Redis, waiters woken by pub/sub", () => {
  for (let round = 1; round <= 10; round++) {
    it(`round ${round}: one refresh request, every caller gets the stored live token`, async () => {
      const report = (await cluster.round()) as RoundReport;
      rounds.push(report);
      expectClean(report);
    });
  }

  it("a SIGKILL of the holder before its request changes nothing either", async () => {
    const report = (await cluster.round("kill-before-request")) as RoundReport;
    rounds.push(report);
    expect(report.killed).toBe(1);
    expectClean(report);
  });
});
