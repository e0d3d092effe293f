import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { betterSqlite3Driver, createSchema } from "@partner-oauth/store-sqlite";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "../cluster.mjs";
import { expectClean, type RoundReport, rounds, summarize } from "./report.js";

const dir = mkdtempSync(join(tmpdir(), "po-multiprocess-sqlite-"));
const file = join(dir, "tokens.sqlite");
let cluster: Cluster;

async function play(fault?: string): Promise<RoundReport> {
  const report = (await cluster.round(fault)) as RoundReport;
  rounds.push(report);
  return report;
}

beforeAll(async () => {
  const db = new Database(file);
  await createSchema(betterSqlite3Driver(db));
  db.close();
  cluster = await new Cluster({ store: "sqlite", table: file }).start();
});

afterAll(async () => {
  await cluster?.stop();
  summarize("4 processes × 50 callers over one SQLite file, single-use rotating refresh tokens");
  rmSync(dir, { recursive: true, force: true });
});

describe("4 processes × 50 callers over one SQLite file (WAL), single-use rotating refresh tokens", () => {
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

    it(`SIGSTOP of the holder while its request waits at the server (${round}): it returns the peer's token`, async () => {
      const report = await play("stop-in-request");
      expect(report.loss).toBe("none");
      expect(report.errors).toEqual({});
      expect(report.ok).toBe(report.callers);
      expect(report.storeHoldsLiveToken).toBe(true);
    });

    it(`SIGKILL of the holder after the server rotated, before its write (${round}): an unavoidable loss, told as such`, async () => {
      const report = await play("kill-after-answer");
      expect(report.loss).toBe("unavoidable");
      expect(report.errors).toEqual({ ReauthorizationRequiredError: report.survivingCallers });
    });
  }

  it("no round lost a grant by a defect", () => {
    expect(rounds.filter((r) => r.loss === "defect")).toEqual([]);
  });
});
