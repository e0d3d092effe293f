import { createSchema } from "@partner-oauth/store-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "../cluster.mjs";
import { PG } from "../stores.mjs";
import { expectClean, type RoundReport, rounds, summarize } from "./report.js";

const table = `po_multiprocess_${process.pid}_${Date.now()}`;
/** One database role per worker, so a fault can refuse one worker's connections. */
const roles = [0, 1, 2, 3].map((i) => `po_worker_${i}_${process.pid}`);
const admin = new pg.Pool({ ...PG, max: 2 });
admin.on("error", () => {});
let cluster: Cluster;

async function play(fault?: string): Promise<RoundReport> {
  const report = (await cluster.round(fault)) as RoundReport;
  rounds.push(report);
  return report;
}

beforeAll(async () => {
  await createSchema(admin, { table });
  for (const role of roles) {
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${role}`);
  }
  cluster = await new Cluster({
    store: "postgres",
    table,
    roles,
    adminQuery: (text: string, values: unknown[]) => admin.query(text, values),
  }).start();
});

afterAll(async () => {
  await cluster?.stop();
  summarize("4 processes × 50 callers over PostgreSQL, single-use rotating refresh tokens");
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  for (const role of roles) await admin.query(`DROP ROLE IF EXISTS ${role}`);
  await admin.end();
});

describe("4 processes × 50 callers over one PostgreSQL store, single-use rotating refresh tokens", () => {
  for (let round = 1; round <= 20; round++) {
    it(`round ${round}: one refresh request, every caller gets the stored live token`, async () => {
      expectClean(await play());
    });
  }

  for (let round = 1; round <= 3; round++) {
    it(`SIGKILL of the lease holder before its request (${round}): a peer refreshes after the TTL, nothing lost`, async () => {
      const report = await play("kill-before-request");
      expect(report.killed).toBe(1);
      expectClean(report);
    });

    it(`SIGSTOP of the holder past its TTL, then SIGCONT (${round}): it returns the peer's token, nothing lost`, async () => {
      expectClean(await play("stop-past-ttl"));
    });

    it(`SIGSTOP of the holder while its request waits at the server, past the TTL (${round}): its old token gets invalid_grant, it re-reads and returns the peer's token`, async () => {
      const report = await play("stop-in-request");
      expect(report.loss).toBe("none");
      expect(report.refreshRequests).toBe(2);
      expect(report.invalidGrants).toBeLessThanOrEqual(1);
      expect(report.errors).toEqual({});
      expect(report.ok).toBe(report.callers);
      expect(report.storeHoldsLiveToken).toBe(true);
      expect(report.handedOutStoredToken).toBe(true);
    });

    it(`pg_terminate_backend of the holder's connections after the server rotated (${round}): the pool reconnects, nothing lost`, async () => {
      const report = await play("terminate-backend");
      expect(report.terminatedBackends).toBeGreaterThan(0);
      expectClean(report);
    });

    it(`the holder's connections killed and refused for 400 ms after the server rotated (${round}): the write fails, is retried, and lands`, async () => {
      const report = await play("connection-lost");
      expect(report.terminatedBackends).toBeGreaterThan(0);
      expect(report.storeErrors.some((e) => e.startsWith("compareAndSet: StoreError"))).toBe(true);
      expectClean(report);
    });

    it(`SIGKILL of the holder after the server rotated, before its write (${round}): an unavoidable loss, told as such`, async () => {
      const report = await play("kill-after-answer");
      expect(report.killed).toBe(1);
      // The provider spent the only live refresh token on a process that died: nobody can recover it.
      expect(report.loss).toBe("unavoidable");
      expect(report.refreshRequests).toBe(2);
      expect(report.invalidGrants).toBe(1);
      expect(report.errors).toEqual({ ReauthorizationRequiredError: report.survivingCallers });
    });
  }

  it("no round lost a grant by a defect", () => {
    expect(rounds.filter((r) => r.loss === "defect")).toEqual([]);
  });
});
