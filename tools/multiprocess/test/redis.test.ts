import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The store package's own redis-server for tests: append-only, restarted by a SIGKILL (`crash`).
import { OwnRedis } from "../../../packages/store-redis/test/support/own-server.js";
import { Cluster } from "../cluster.mjs";
import { scanKeys } from "./redis-keys.js";
import { expectClean, type RoundReport, rounds, summarize } from "./report.js";

/** Every key of this run starts with it; removed afterwards. */
const prefix = `po-multiprocess:${process.pid}:${Date.now()}:`;

type RedisClient = ReturnType<typeof createClient>;

async function admin(url: string): Promise<RedisClient> {
  const client = createClient({
    url,
    socket: { connectTimeout: 15_000, reconnectStrategy: (retries: number) => Math.min(20 * retries, 200) },
  });
  client.on("error", () => {});
  await client.connect();
  return client;
}

async function dropKeys(client: RedisClient): Promise<void> {
  const keys = await scanKeys(client, `${prefix}*`);
  if (keys.length > 0) await client.sendCommand(["UNLINK", ...keys]);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

async function play(cluster: Cluster, fault?: string): Promise<RoundReport> {
  const report = (await cluster.round(fault)) as RoundReport;
  rounds.push(report);
  return report;
}

afterAll(() => {
  summarize("4 processes × 50 callers over Redis, single-use rotating refresh tokens");
  const clean = rounds.filter((r) => r.fault === "none").flatMap((r) => r.followers);
  console.log(
    `followers in other processes after the winner's write (clean rounds, polling): n ${clean.length}, p50 ${percentile(clean, 50)} ms, p99 ${percentile(clean, 99)} ms, max ${Math.max(...clean)} ms`,
  );
});

/** A round with a fault waits out a lease TTL (5 s) or two; the machine may be busy. */
const ROUND_TIMEOUT = { timeout: 120_000 };
const HOOK_TIMEOUT_MS = 120_000;

describe(
  "4 processes × 50 callers over one Redis store (127.0.0.1:6379), single-use rotating refresh tokens",
  ROUND_TIMEOUT,
  () => {
    let cluster: Cluster;
    let client: RedisClient;

    beforeAll(async () => {
      delete process.env.REDIS_URL_TEST;
      client = await admin("redis://127.0.0.1:6379");
      cluster = await new Cluster({
        store: "redis",
        table: prefix,
        adminCommand: (args: string[]) => client.sendCommand(args),
      }).start();
    }, HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await cluster?.stop();
      if (client) {
        await dropKeys(client);
        client.destroy();
      }
    }, HOOK_TIMEOUT_MS);

    for (let round = 1; round <= 20; round++) {
      it(`round ${round}: one refresh request, every caller gets the stored live token`, async () => {
        expectClean(await play(cluster));
      });
    }

    for (let round = 1; round <= 3; round++) {
      it(`SIGKILL of the lease holder before its request (${round}): a peer refreshes after the TTL, nothing lost`, async () => {
        const report = await play(cluster, "kill-before-request");
        expect(report.killed).toBe(1);
        expectClean(report);
      });

      it(`SIGSTOP of the holder past its TTL, then SIGCONT (${round}): it returns the peer's token, nothing lost`, async () => {
        expectClean(await play(cluster, "stop-past-ttl"));
      });

      it(`SIGSTOP of the holder while its request waits at the server, past the TTL (${round}): its old token gets invalid_grant, it re-reads and returns the peer's token`, async () => {
        const report = await play(cluster, "stop-in-request");
        expect(report.loss).toBe("none");
        expect(report.refreshRequests).toBe(2);
        expect(report.invalidGrants).toBeLessThanOrEqual(1);
        expect(report.errors).toEqual({});
        expect(report.ok).toBe(report.callers);
        expect(report.storeHoldsLiveToken).toBe(true);
        expect(report.handedOutStoredToken).toBe(true);
      });

      it(`CLIENT KILL of the holder's connection after the server rotated (${round}): the client reconnects, nothing lost`, async () => {
        const report = await play(cluster, "client-kill");
        expect(report.terminatedBackends).toBeGreaterThan(0);
        expectClean(report);
      });

      it(`SIGKILL of the holder after the server rotated, before its write (${round}): an unavoidable loss, told as such`, async () => {
        const report = await play(cluster, "kill-after-answer");
        expect(report.killed).toBe(1);
        // The provider spent the only live refresh token on a process that died: nobody can recover it.
        expect(report.loss).toBe("unavoidable");
        expect(report.refreshRequests).toBe(2);
        expect(report.invalidGrants).toBe(1);
        expect(report.errors).toEqual({ ReauthorizationRequiredError: report.survivingCallers });
      });
    }
  },
);

describe(
  "4 processes × 50 callers over a Redis of the test's own (append-only file, fsync always), killed and restarted mid-run",
  ROUND_TIMEOUT,
  () => {
    let server: OwnRedis;
    let cluster: Cluster;
    let client: RedisClient;

    beforeAll(async () => {
      server = await new OwnRedis(true).start();
      // Forked workers inherit the environment: they connect to this server.
      process.env.REDIS_URL_TEST = server.url;
      client = await admin(server.url);
      cluster = await new Cluster({
        store: "redis",
        table: prefix,
        adminCommand: (args: string[]) => client.sendCommand(args),
        restartStore: () => server.crash(),
      }).start();
    }, HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await cluster?.stop();
      client?.destroy();
      await server?.stop();
      delete process.env.REDIS_URL_TEST;
    }, HOOK_TIMEOUT_MS);

    for (let round = 1; round <= 3; round++) {
      it(`the server killed and restarted after the provider rotated, before the holder's write (${round}): records, fences and leases survive, the write lands, nothing lost`, async () => {
        const restarts = server.crashes;
        const report = await play(cluster, "redis-restart");
        expect(server.crashes).toBe(restarts + 1);
        expect(report.loss).toBe("none");
        expect(report.refreshRequests).toBe(1);
        expect(report.invalidGrants).toBe(0);
        expect(report.storeHoldsLiveToken).toBe(true);
        expect(report.handedOut).toBeLessThanOrEqual(1);
        // A process whose read was on the wire when the server died hands its callers a retryable
        // StoreError (a dropped connection); every other caller gets the stored token.
        for (const name of Object.keys(report.errors)) expect(name).toBe("StoreError");
        if (report.ok > 0) expect(report.handedOutStoredToken).toBe(true);
        expect(report.ok + (report.errors.StoreError ?? 0)).toBe(report.survivingCallers);
      });

      it(`the holder's write held by CLIENT PAUSE and its connection killed there (${round}): the write fails with a dropped connection, is retried, and lands`, async () => {
        const report = await play(cluster, "client-kill-in-write");
        expect(report.terminatedBackends).toBe(1);
        expect(report.storeErrors.some((e) => e.startsWith("compareAndSet: StoreError"))).toBe(true);
        expectClean(report);
      });
    }
  },
);

describe("all rounds", ROUND_TIMEOUT, () => {
  it("no round lost a grant by a defect", () => {
    expect(rounds.filter((r) => r.loss === "defect")).toEqual([]);
  });
});
