import { createSchema } from "@partner-oauth/store-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "../cluster.mjs";
import { PG } from "../stores.mjs";
import { expectClean, type RoundReport } from "./report.js";

const table = `po_multiprocess_enc_${process.pid}_${Date.now()}`;
const admin = new pg.Pool({ ...PG, max: 2 });
admin.on("error", () => {});
let cluster: Cluster;

beforeAll(async () => {
  await createSchema(admin, { table });
  cluster = await new Cluster({
    store: "postgres",
    table,
    encryptionKey: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
  }).start();
});

afterAll(async () => {
  await cluster?.stop();
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.end();
});

describe("4 processes × 50 callers over PostgreSQL through encryptedStore", () => {
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

  it("the table holds none of the tokens the server issued", async () => {
    const { rows } = await admin.query(`SELECT key, record::text AS record FROM ${table}`);
    const dump = rows.map((row) => `${row.key} ${row.record}`).join("\n");
    expect(rows.length).toBeGreaterThanOrEqual(6);
    const issued = cluster.server.issuedSecrets() as string[];
    expect(issued.length).toBeGreaterThanOrEqual(12);
    for (const secret of issued) expect(dump).not.toContain(secret);
    expect(dump).toContain("poe1.test-key.");
  });
});
