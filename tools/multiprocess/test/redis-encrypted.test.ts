import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "../cluster.mjs";
import { redisUrl } from "../stores.mjs";
import { scanKeys } from "./redis-keys.js";
import { expectClean, type RoundReport } from "./report.js";

/** Every key of this run starts with it; removed afterwards. */
const prefix = `po-multiprocess-enc:${process.pid}:${Date.now()}:`;
const admin = createClient({ url: redisUrl() });
admin.on("error", () => {});
let cluster: Cluster;

const keysOfRun = () => scanKeys(admin, `${prefix}*`);

beforeAll(async () => {
  await admin.connect();
  cluster = await new Cluster({
    store: "redis",
    table: prefix,
    encryptionKey: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
  }).start();
});

afterAll(async () => {
  await cluster?.stop();
  const keys = await keysOfRun();
  if (keys.length > 0) await admin.sendCommand(["UNLINK", ...keys]);
  await admin.quit();
});

describe("4 processes × 50 callers over Redis through encryptedStore", () => {
  for (let round = 1; round <= 5; round++) {
    it(`round ${round}: one refresh request, every caller gets the stored live token`, async () => {
      expectClean((await cluster.round()) as RoundReport);
    });
  }

  it("a SIGKILL of the holder before its request changes nothing either", async () => {
    const report = (await cluster.round("kill-before-request")) as RoundReport;
    expect(report.killed).toBe(1);
    expectClean(report);
  });

  it("HGETALL of every record holds none of the tokens the server issued", async () => {
    const records = (await keysOfRun()).filter((key) => !key.endsWith(":lease"));
    expect(records.length).toBeGreaterThanOrEqual(6);
    const dump = (
      await Promise.all(records.map(async (key) => JSON.stringify(await admin.hGetAll(key))))
    ).join("\n");
    const issued = cluster.server.issuedSecrets() as string[];
    expect(issued.length).toBeGreaterThanOrEqual(12);
    for (const secret of issued) expect(dump).not.toContain(secret);
    expect(dump).toContain("poe1.test-key.");
  });
});
