import { storeKey } from "@partner-oauth/core";
import { ForkedWorker } from "./forked.mjs";
import { openStore } from "./stores.mjs";
import { RotatingTokenServer } from "./token-server.mjs";

const WORKER = new URL("./worker.mjs", import.meta.url);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Timings for the workers' facades: a short lease, so rounds with a dead holder end soon. */
export const TIMING = { timeoutMs: 3000, writeBudgetMs: 1000, leaseTtlMs: 5000 };

/**
 * Faults, each played in rounds of its own:
 * - kill-before-request: SIGKILL of the lease holder after it took the lease, before it sent anything;
 * - kill-after-answer: SIGKILL of the holder once the server consumed its refresh token, before the
 *   answer reaches it (the server rotated; the holder never learns the new token);
 * - stop-past-ttl: SIGSTOP of the holder after it took the lease, until a peer refreshed past the
 *   lease's TTL, then SIGCONT;
 * - stop-in-request: SIGSTOP of the holder while the server holds its refresh request, until a peer
 *   refreshed past the TTL; then SIGCONT, and the server answers the old token with invalid_grant;
 * - terminate-backend: the holder's database connections killed (`pg_terminate_backend`) once the
 *   server rotated its token, just before the answer (its next statement is the write);
 * - connection-lost: the same, and the holder's database role refused new connections for 400 ms, so
 *   its write fails until then (each worker connects as a role of its own, `roles[i]`).
 */
export const FAULTS = [
  "kill-before-request",
  "kill-after-answer",
  "stop-past-ttl",
  "stop-in-request",
  "terminate-backend",
  "connection-lost",
];

/**
 * Faults of a Redis store (the `redis` kind), played like the ones above:
 * - client-kill: the holder's Redis connections killed (`CLIENT KILL ID`, found by the worker's
 *   `CLIENT SETNAME`) once the server rotated its token, just before the answer; the client reconnects;
 * - client-kill-in-write: the store's server paused for writes (`CLIENT PAUSE … WRITE`, which holds every
 *   script) once the server rotated, so the holder's write waits in Redis unexecuted; its connection is
 *   killed there, then the pause lifted: the write fails with a dropped connection and is retried;
 * - redis-restart: the store's server killed (SIGKILL) and started again (`restartStore`) once the server
 *   rotated, before the answer: the holder writes to the restarted server.
 */
export const REDIS_FAULTS = ["client-kill", "client-kill-in-write", "redis-restart"];

class Worker extends ForkedWorker {
  constructor(cluster, index, role) {
    super();
    this.cluster = cluster;
    this.index = index;
    this.role = role;
    this.generation = 0;
  }

  async start() {
    this.name = `po-w${this.index}-${++this.generation}-${process.pid}`;
    const init = { ...this.cluster.workerConfig, name: this.name, user: this.role };
    await this.spawn(WORKER, init, (message) => {
      if (message.type === "leased") this.cluster.onLeased(this);
      if (message.type === "store-error") this.cluster.storeErrors.push(`${message.method}: ${message.name}`);
    });
  }

  /** Resolves with the worker's result, or `{ died }` when it was killed before answering. */
  run(go) {
    return this.ask({ type: "go", ...go }, "result");
  }
}

/**
 * Several worker processes over one shared store, against one rotating token server. Each round
 * seeds a new account with an expired token and lets every worker's callers ask for it at once.
 */
export class Cluster {
  constructor({
    store,
    table,
    workers = 4,
    callers = 50,
    timing = TIMING,
    latencyMs = 25,
    adminQuery,
    roles = [],
    encryptionKey,
    adminCommand,
    restartStore,
  }) {
    this.encryptionKey = encryptionKey;
    this.kind = store;
    this.table = table;
    this.callers = callers;
    this.timing = timing;
    this.server = new RotatingTokenServer({ latencyMs });
    this.workers = Array.from({ length: workers }, (_, i) => new Worker(this, i, roles[i]));
    this.adminQuery = adminQuery;
    /** Redis: sends one command (an array of strings) to the store's server. */
    this.adminCommand = adminCommand;
    /** Redis: kills the store's server and starts it again; resolves once it answers. */
    this.restartStore = restartStore;
    this.rounds = 0;
    this.storeErrors = [];
    this.onLeased = () => {};
  }

  async start() {
    await this.server.start();
    this.workerConfig = {
      store: this.kind,
      table: this.table,
      serverUrl: this.server.url,
      timing: this.timing,
      encryptionKey: this.encryptionKey,
    };
    const opened = await openStore(this.kind, {
      table: this.table,
      name: `po-parent-${process.pid}`,
      encryptionKey: this.encryptionKey,
    });
    this.store = opened.store;
    this.closeStore = opened.close;
    await Promise.all(this.workers.map((worker) => worker.start()));
    return this;
  }

  async stop() {
    await Promise.all(this.workers.map((worker) => worker.stop()));
    await this.closeStore?.();
    await this.server.stop();
  }

  async round(fault) {
    const account = `merchant-${process.pid}-${++this.rounds}`;
    const { key, grant } = await seedExpiredGrant(this.store, this.server, account);
    this.server.resetStats();
    const killed = new Set();
    this.terminatedBackends = 0;
    this.storeErrors = [];
    const faulted = this.#arm(fault, killed);
    const started = Date.now();
    const results = await Promise.all(
      this.workers.map((worker) =>
        worker.run({ account, callers: this.callers, pauseAfterLeaseMs: faulted.pauseAfterLeaseMs }),
      ),
    );
    await faulted.done?.();
    this.onLeased = () => {};
    this.server.hooks = {};
    const stats = this.server.stats;
    for (const worker of this.workers) if (killed.has(worker.name)) await worker.start();

    const record = await this.store.get(key);
    const live = this.server.liveTokenOf(grant.grant);
    const errors = {};
    let ok = 0;
    const handedOut = new Set();
    for (const result of results) {
      if (result.died) continue;
      ok += result.ok;
      for (const token of result.tokens) handedOut.add(token);
      for (const [name, count] of Object.entries(result.errors)) errors[name] = (errors[name] ?? 0) + count;
    }
    return {
      fault: fault ?? "none",
      ms: Date.now() - started,
      refreshRequests: stats.refreshRequests,
      invalidGrants: stats.invalidGrants,
      callers: this.callers * this.workers.length,
      survivingCallers: this.callers * (this.workers.length - killed.size),
      ok,
      errors,
      killed: killed.size,
      terminatedBackends: this.terminatedBackends,
      storeErrors: this.storeErrors,
      storeHoldsLiveToken: record?.refreshToken === live,
      handedOutStoredToken: handedOut.size === 1 && record !== undefined && handedOut.has(record.accessToken),
      handedOut: handedOut.size,
      loss: classifyLoss(record, live, stats.consumptions, killed),
      followers: followerLatencies(results),
    };
  }

  /** Installs a fault for one round; returns what the workers need and, maybe, a wait for its cleanup. */
  #arm(fault, killed) {
    const first = (act) => {
      let done = false;
      return (...args) => {
        if (done) return undefined;
        done = true;
        return act(...args);
      };
    };
    const byName = (name) => this.workers.find((worker) => worker.name === name);
    const kill = (worker) => {
      killed.add(worker.name);
      worker.signal("SIGKILL");
    };
    if (fault === "kill-before-request") {
      this.onLeased = first((worker) => kill(worker));
      return { pauseAfterLeaseMs: 300 };
    }
    if (fault === "kill-after-answer") {
      this.server.hooks.afterConsume = first(async (name) => {
        const worker = byName(name);
        kill(worker);
        await worker.exited;
        return "drop";
      });
      return {};
    }
    if (fault === "stop-past-ttl") {
      let resume;
      const done = new Promise((resolve) => {
        resume = resolve;
      });
      this.onLeased = first(async (worker) => {
        worker.signal("SIGSTOP");
        const until = Date.now() + this.timing.leaseTtlMs + 10_000;
        // Resume only once a peer has refreshed (which it can only after the lease's TTL) and written.
        while (this.server.stats.answered === 0 && Date.now() < until) await sleep(20);
        await sleep(500);
        worker.signal("SIGCONT");
        resume();
      });
      return { pauseAfterLeaseMs: 300, done: () => done };
    }
    if (fault === "stop-in-request") {
      this.server.hooks.beforeConsume = first(async (name) => {
        const worker = byName(name);
        worker.signal("SIGSTOP");
        const until = Date.now() + this.timing.leaseTtlMs + 10_000;
        while (this.server.stats.answered === 0 && Date.now() < until) await sleep(20);
        await sleep(500);
        worker.signal("SIGCONT");
      });
      return {};
    }
    if (fault === "connection-lost") {
      let restored = Promise.resolve();
      this.server.hooks.afterConsume = first(async (name) => {
        const { role } = byName(name);
        await this.adminQuery(`ALTER ROLE ${role} CONNECTION LIMIT 0`, []);
        const { rows } = await this.adminQuery(
          "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1",
          [name],
        );
        this.terminatedBackends = rows.filter((row) => row.killed).length;
        restored = sleep(400).then(() => this.adminQuery(`ALTER ROLE ${role} CONNECTION LIMIT -1`, []));
      });
      return { done: () => restored };
    }
    if (fault === "terminate-backend") {
      // After the server rotated, just before it answers: the holder's next statement is its write.
      this.server.hooks.afterConsume = first(async (name) => {
        const { rows } = await this.adminQuery(
          "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1",
          [name],
        );
        this.terminatedBackends = rows.filter((row) => row.killed).length;
      });
      return {};
    }
    if (fault === "client-kill") {
      this.server.hooks.afterConsume = first(async (name) => {
        this.terminatedBackends = await this.#killRedisClients(name);
      });
      return {};
    }
    if (fault === "client-kill-in-write") {
      let resumed = Promise.resolve();
      this.server.hooks.afterConsume = first(async (name) => {
        await this.adminCommand(["CLIENT", "PAUSE", "10000", "WRITE"]);
        resumed = (async () => {
          try {
            // The holder's write is held by the pause: its connection shows as blocked on a script.
            const until = Date.now() + 8000;
            while (Date.now() < until) {
              const blocked = (line) => /flags=\S*b/.test(line) && /cmd=evalsha/.test(line);
              const killed = await this.#killRedisClients(name, blocked);
              if (killed > 0) {
                this.terminatedBackends = killed;
                break;
              }
              await sleep(5);
            }
          } finally {
            await this.adminCommand(["CLIENT", "UNPAUSE"]);
          }
        })();
      });
      return { done: () => resumed };
    }
    if (fault === "redis-restart") {
      this.server.hooks.afterConsume = first(async () => {
        await this.restartStore();
      });
      return {};
    }
    return {};
  }

  /** Kills the Redis connections named `name` (those whose CLIENT LIST line passes `which`): how many. */
  async #killRedisClients(name, which = () => true) {
    const list = String(await this.adminCommand(["CLIENT", "LIST"]));
    let killed = 0;
    for (const line of list.split("\n")) {
      const id = /^id=(\d+) /.exec(line)?.[1];
      if (id === undefined || !line.includes(` name=${name} `) || !which(line)) continue;
      killed += Number(await this.adminCommand(["CLIENT", "KILL", "ID", id]));
    }
    return killed;
  }
}

/** A new grant at the server, stored for `account` with an access token that has already expired. */
export async function seedExpiredGrant(store, server, account) {
  const key = storeKey({ provider: "stress", tokenType: "default", account });
  const grant = server.issueGrant();
  await store.set(key, {
    accessToken: grant.accessToken,
    tokenType: "Bearer",
    refreshToken: grant.refreshToken,
    expiresAt: Date.now() - 1000,
    scopes: [],
    raw: {},
  });
  return { key, grant };
}

/**
 * A round lost the grant when the store does not hold the provider's live refresh token. The loss is
 * unavoidable when that token was issued in an answer no surviving process received (the provider
 * rotated, and the holder died before it could write); any other loss is a defect.
 */
function classifyLoss(record, live, consumptions, killed) {
  if (record?.refreshToken === live) return "none";
  const issuing = consumptions.find((consumption) => consumption.issued === live);
  if (issuing && (!issuing.answered || killed.has(issuing.worker))) return "unavoidable";
  return "defect";
}

/**
 * How long after the winner's write the other processes' callers had the token: the winner is the
 * process whose first caller got it earliest (right after its write committed).
 */
function followerLatencies(results) {
  const alive = results.filter((result) => !result.died && result.doneAt.length > 0);
  if (alive.length === 0) return [];
  const firstOf = (result) => Math.min(...result.doneAt);
  const winner = alive.reduce((a, b) => (firstOf(a) <= firstOf(b) ? a : b));
  const committedAt = firstOf(winner);
  return alive
    .filter((result) => result !== winner)
    .flatMap((result) => result.doneAt.map((at) => at - committedAt));
}
