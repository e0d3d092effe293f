import { storeKey } from "@partner-oauth/core";
import { TIMING } from "./cluster.mjs";
import { ForkedWorker } from "./forked.mjs";
import { openStore } from "./stores.mjs";
import { SWEEP_PROVIDERS } from "./sweep-worker.mjs";
import { RotatingTokenServer } from "./token-server.mjs";

const WORKER = new URL("./sweep-worker.mjs", import.meta.url);
const DAY = 86_400_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A forked sweep-worker.mjs; `onLeased(n)` hears of its n-th lease. */
class SweepWorker extends ForkedWorker {
  constructor(cluster, index) {
    super();
    this.cluster = cluster;
    this.index = index;
    this.generation = 0;
  }

  async start() {
    this.name = `po-sweep${this.index}-${++this.generation}-${process.pid}`;
    this.leases = 0;
    await this.spawn(WORKER, { ...this.cluster.workerConfig, name: this.name }, (message) => {
      if (message.type === "leased") this.onLeased?.(++this.leases);
    });
  }
}

/**
 * Sweep rounds: `accounts` grants across the five providers, a mix of due and not-yet-due ones, some
 * with an expired access token; two sweeping processes (`sweepAll` at once) and one process of live
 * `getToken` traffic on the expired ones and on others, against one rotating token server. A round
 * tells, per grant, how often the server consumed its refresh token, and whether the store still
 * holds the grant's live one.
 */
export class SweepCluster {
  constructor({ store, table, accounts = 1_000, concurrency = 8, latencyMs = 5 }) {
    this.kind = store;
    this.table = table;
    this.accounts = accounts;
    this.concurrency = concurrency;
    this.server = new RotatingTokenServer({ latencyMs });
    this.round = 0;
  }

  async start() {
    await this.server.start();
    this.workerConfig = { store: this.kind, table: this.table, serverUrl: this.server.url, timing: TIMING };
    this.parent = await openStore(this.kind, { table: this.table, name: `po-sweep-parent-${process.pid}` });
    this.sweepers = [new SweepWorker(this, 0), new SweepWorker(this, 1)];
    this.traffic = new SweepWorker(this, 2);
    await Promise.all([...this.sweepers, this.traffic].map((w) => w.start()));
    return this;
  }

  async stop() {
    await Promise.all([...(this.sweepers ?? []), this.traffic].filter(Boolean).map((w) => w.stop()));
    await this.parent?.close();
    await this.server.stop();
  }

  /** Seeds this round's grants; returns them with what each must see. */
  async #seed(now) {
    const round = ++this.round;
    const grants = [];
    for (let i = 0; i < this.accounts; i++) {
      const providerIndex = i % SWEEP_PROVIDERS.length;
      const { id, lifetimeDays } = SWEEP_PROVIDERS[providerIndex];
      const account = `r${round}-a${i}`;
      const key = storeKey({ provider: id, tokenType: "default", account });
      const accessExpired = i % 7 === 3;
      const expiresAt = accessExpired ? now - 1_000 : now + 3_600_000;
      if (lifetimeDays === undefined) {
        await this.parent.store.set(key, {
          accessToken: `gc-${account}`,
          tokenType: "bearer",
          scopes: [],
          raw: {},
        });
        grants.push({ providerIndex, account, key, due: false, accessExpired: false, grant: undefined });
        continue;
      }
      const issued = this.server.issueGrant();
      // Mixed due times: about 60% due up to 10 days ago, the rest due within the next 20 days.
      const due = (i * 7919) % 10 < 6;
      const refreshDueAt = due
        ? now - 1 - ((i * 104_729) % (10 * DAY))
        : now + DAY + ((i * 104_729) % (20 * DAY));
      await this.parent.store.set(key, {
        accessToken: issued.accessToken,
        tokenType: "Bearer",
        refreshToken: issued.refreshToken,
        expiresAt,
        refreshDueAt,
        scopes: [],
        raw: {},
      });
      grants.push({ providerIndex, account, key, due, accessExpired, grant: issued.grant });
    }
    return grants;
  }

  /**
   * One round. `fault`: `kill-sweeper` (SIGKILL of the first sweeper at its 40th lease) or
   * `stop-sweeper` (SIGSTOP there for longer than the lease TTL, then SIGCONT); the other sweeper
   * sweeps again once the lease TTL has passed, as the next scheduled sweep would.
   */
  async play(fault = "none") {
    const started = Date.now();
    const now = Date.now();
    const grants = await this.#seed(now);
    this.server.resetStats();
    const [victim, survivor] = this.sweepers;
    let faultDone = Promise.resolve();
    if (fault !== "none") {
      faultDone = new Promise((resolve) => {
        victim.onLeased = (n) => {
          if (n !== 40) return;
          victim.onLeased = undefined;
          if (fault === "kill-sweeper") {
            victim.child.kill("SIGKILL");
            resolve();
          } else {
            victim.child.kill("SIGSTOP");
            setTimeout(() => {
              victim.child.kill("SIGCONT");
              resolve();
            }, TIMING.leaseTtlMs + 1_000);
          }
        };
      });
    }
    const calls = grants
      .filter((g, i) => g.accessExpired || i % 10 === 0)
      .map((g) => [g.providerIndex, g.account]);
    const sweep = { type: "sweep", before: now, concurrency: this.concurrency };
    const [first, second, traffic] = await Promise.all([
      victim.ask(sweep, "swept"),
      survivor.ask(sweep, "swept"),
      this.traffic.ask({ type: "traffic", calls }, "trafficked"),
    ]);
    const passes = [first, second];
    if (fault !== "none") {
      await faultDone;
      // The next scheduled sweep, after the lease the victim held has expired.
      await sleep(TIMING.leaseTtlMs + 200);
      passes.push(await survivor.ask({ ...sweep, before: now }, "swept"));
      if (fault === "stop-sweeper") passes.push(await victim.ask({ ...sweep, before: now }, "swept"));
    }
    const faulted = fault === "none" ? undefined : victim.name;
    if (fault === "kill-sweeper") await victim.start();
    return this.#judge(grants, passes, traffic, { fault, faulted, ms: Date.now() - started });
  }

  async #judge(grants, passes, traffic, { fault, faulted, ms }) {
    const consumed = new Map();
    for (const c of this.server.stats.consumptions)
      consumed.set(c.grant, [...(consumed.get(c.grant) ?? []), c]);
    const wrongCounts = [];
    const early = [];
    let unavoidable = 0;
    let defects = 0;
    let dead = 0;
    for (const g of grants) {
      const record = await this.parent.store.get(g.key);
      if (g.grant === undefined) {
        if (!record) defects++;
        continue;
      }
      const uses = consumed.get(g.grant) ?? [];
      const expected = g.due || g.accessExpired ? 1 : 0;
      if (!g.due && !g.accessExpired && uses.length > 0) early.push(g.account);
      if (uses.length !== expected) wrongCounts.push(`${g.account}: ${uses.length} (expected ${expected})`);
      if (record?.refreshToken === this.server.liveTokenOf(g.grant)) continue;
      // Lost: unavoidable only when the killed (or frozen past its lease) sweeper took the grant's last
      // rotation with it; anything else is a defect.
      if (faulted !== undefined && uses.at(-1)?.worker === faulted) unavoidable++;
      else defects++;
      if (!record) dead++;
    }
    const reports = passes.filter((p) => !p.died).flatMap((p) => Object.values(p.summary));
    return {
      fault,
      ms,
      accounts: grants.length,
      due: grants.filter((g) => g.due).length,
      trafficCalls: traffic.ok + Object.values(traffic.errors).reduce((a, b) => a + b, 0),
      trafficOk: traffic.ok,
      trafficErrors: traffic.errors,
      refreshRequests: this.server.stats.refreshRequests,
      invalidGrants: this.server.stats.invalidGrants,
      sweptRefreshed: reports.reduce((n, r) => n + r.refreshed.length, 0),
      sweepFailed: reports.flatMap((r) => r.failed),
      sweepDead: reports.reduce((n, r) => n + r.dead.length, 0),
      stopped: reports.map((r) => r.stopped).filter(Boolean),
      wrongCounts,
      early,
      lost: { unavoidable, defects },
      deadRecords: dead,
    };
  }
}
