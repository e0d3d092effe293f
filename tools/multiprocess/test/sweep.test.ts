import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSchema as createPostgresSchema } from "@partner-oauth/store-postgres";
import { betterSqlite3Driver, createSchema as createSqliteSchema } from "@partner-oauth/store-sqlite";
import Database from "better-sqlite3";
import pg from "pg";
import { createClient } from "redis";
import { afterAll, describe, expect, it } from "vitest";
import { PG, redisUrl } from "../stores.mjs";
import { SweepCluster } from "../sweep-cluster.mjs";
import { scanKeys } from "./redis-keys.js";

type SweepRound = Awaited<ReturnType<SweepCluster["play"]>>;
const lines: string[] = [];

afterAll(() => {
  console.log(`sweep rounds: 2 sweeping processes + 1 of live getToken traffic\n${lines.join("\n")}`);
});

async function play(cluster: SweepCluster, store: string, fault?: string): Promise<SweepRound> {
  const round = await cluster.play(fault);
  lines.push(
    `${store.padEnd(8)} ${round.fault.padEnd(13)} ${String(round.ms).padStart(6)} ms  accounts ${round.accounts}  due ${round.due}  swept ${round.sweptRefreshed}  refresh requests ${round.refreshRequests}  invalid_grant ${round.invalidGrants}  traffic ${round.trafficOk}/${round.trafficCalls}  wrong counts ${round.wrongCounts.length}  early ${round.early.length}  lost: unavoidable ${round.lost.unavoidable}, defects ${round.lost.defects}`,
  );
  return round;
}

/** Every due grant refreshed exactly once, none early, none lost, every live call served. */
function expectExactlyOnce(round: SweepRound): void {
  expect(round.wrongCounts).toEqual([]);
  expect(round.early).toEqual([]);
  expect(round.lost).toEqual({ unavoidable: 0, defects: 0 });
  expect(round.invalidGrants).toBe(0);
  expect(round.trafficErrors).toEqual({});
  expect(round.trafficOk).toBe(round.trafficCalls);
  expect(round.sweepFailed).toEqual([]);
  expect(round.sweepDead).toBe(0);
  expect(round.stopped).toEqual([]);
  expect(round.due).toBeGreaterThan(400);
}

/** Refreshes a sweeper has in flight at most: 4 providers swept at once, concurrency 8 each. */
const IN_FLIGHT = 4 * 8;

/**
 * A round with a killed or frozen sweeper: no double refresh, nothing refreshed early, no defect.
 * Each refresh the victim had in flight after the provider rotated its token is lost with it (the
 * single-use token's one unavoidable loss, per refresh in flight), so at most IN_FLIGHT, each
 * attributed to the victim's own last rotation of that grant.
 */
function expectNoDefect(round: SweepRound): void {
  expect(round.wrongCounts).toEqual([]);
  expect(round.early).toEqual([]);
  expect(round.lost.defects).toBe(0);
  expect(round.lost.unavoidable).toBeLessThanOrEqual(IN_FLIGHT);
  // The first refresh of a lost grant meets invalid_grant and removes it; nobody meets it twice.
  expect(round.invalidGrants).toBe(round.lost.unavoidable);
  // Live callers of a lost grant are told to reconnect; nothing else fails them.
  const { ReauthorizationRequiredError: reconnect = 0, ...others } = round.trafficErrors as Record<
    string,
    number
  >;
  expect(others).toEqual({});
  expect(reconnect).toBeLessThanOrEqual(round.lost.unavoidable);
}

describe("sweeping 1,000 grants of five providers over PostgreSQL from two processes, with live traffic", () => {
  const table = `po_sweep_${process.pid}_${Date.now()}`;
  const admin = new pg.Pool({ ...PG, max: 2 });
  admin.on("error", () => {});
  let cluster: SweepCluster;

  afterAll(async () => {
    await cluster?.stop();
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });

  it("round 1: every due grant refreshed exactly once, none early, none lost", async () => {
    await createPostgresSchema(admin, { table });
    cluster = await new SweepCluster({ store: "postgres", table }).start();
    expectExactlyOnce(await play(cluster, "postgres"));
  });

  it("round 2: the same on a table holding round 1's grants", async () => {
    expectExactlyOnce(await play(cluster, "postgres"));
  });

  it("a sweeper SIGKILLed mid-sweep: the other sweeps its grants after the lease TTL, no double refresh", async () => {
    expectNoDefect(await play(cluster, "postgres", "kill-sweeper"));
  });

  it("a sweeper SIGSTOPped past its lease TTL mid-sweep, then SIGCONT: no double refresh, no defect", async () => {
    expectNoDefect(await play(cluster, "postgres", "stop-sweeper"));
  });
});

describe("sweeping 1,000 grants over Redis from two processes, with live traffic", () => {
  const prefix = `po-sweep:${process.pid}:${Date.now()}:`;
  let cluster: SweepCluster;

  afterAll(async () => {
    await cluster?.stop();
    const admin = createClient({ url: redisUrl() });
    await admin.connect();
    const keys = await scanKeys(admin, `${prefix}*`);
    if (keys.length > 0) await admin.sendCommand(["UNLINK", ...keys]);
    await admin.close();
  });

  it("every due grant refreshed exactly once, none early, none lost", async () => {
    cluster = await new SweepCluster({ store: "redis", table: prefix }).start();
    expectExactlyOnce(await play(cluster, "redis"));
  });

  it("a sweeper SIGKILLed mid-sweep: no double refresh, no defect", async () => {
    expectNoDefect(await play(cluster, "redis", "kill-sweeper"));
  });
});

describe("sweeping 1,000 grants over one SQLite file from two processes, with live traffic", () => {
  const dir = mkdtempSync(join(tmpdir(), "po-sweep-sqlite-"));
  const file = join(dir, "tokens.sqlite");
  let cluster: SweepCluster;

  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("every due grant refreshed exactly once, none early, none lost", async () => {
    const db = new Database(file);
    await createSqliteSchema(betterSqlite3Driver(db));
    db.close();
    cluster = await new SweepCluster({ store: "sqlite", table: file }).start();
    expectExactlyOnce(await play(cluster, "sqlite"));
  });
});
