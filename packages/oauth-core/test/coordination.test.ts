import { describe, expect, it } from "vitest";
import {
  createOAuthClient,
  InvalidInputError,
  MemoryTokenStore,
  ProviderError,
  RefreshPendingError,
  ResponseParseError,
  type SharedTokenStore,
  StoreError,
  type TokenData,
  TokenNotPersistedError,
  type TokenStore,
  type VersionedRecord,
  type WriteCondition,
} from "../src/index.js";
import { lifecycle, manualClock, slot } from "./helpers.js";
import { PlainStore } from "./support/plain-store.js";
import { ScriptedOAuthServer } from "./support/scripted-server.js";
import { testProvider } from "./support/test-provider.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two facades over one store and one single-use, rotating token server, like two workers of an app. */
async function twoClients(store: TokenStore, serverDelayMs = 25) {
  const server = await new ScriptedOAuthServer({ delayMs: serverDelayMs }).start();
  const clock = manualClock();
  const clients = [0, 1].map(() =>
    createOAuthClient(testProvider({ url: server.url, now: clock.now }), {
      store,
      now: clock.now,
      timeoutMs: 5000,
    }),
  );
  const grant = server.issueGrant();
  await store.set(slot("acct-1"), {
    accessToken: grant.accessToken,
    tokenType: "Bearer",
    refreshToken: grant.refreshToken,
    expiresAt: clock.now() - 1000,
    scopes: ["read"],
    raw: {},
  });
  return { server, clients, clock };
}

describe("two clients over one store in one process (single-use refresh tokens)", () => {
  it.each([
    ["MemoryTokenStore", () => new MemoryTokenStore()],
    ["a plain get/set/delete store", () => new PlainStore()],
  ])("%s: 1,000 callers, one refresh, nobody fails, the store holds the live token", async (_label, make) => {
    const store = make();
    const { server, clients } = await twoClients(store);
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 1000 }, (_, i) => (clients[i % 2] as (typeof clients)[0]).getToken("acct-1")),
      );
      const failed = results.filter((r) => r.status === "rejected");
      expect(failed).toEqual([]);
      expect(server.tokenRequests).toBe(1);
      expect(server.invalidGrants).toBe(0);
      const stored = await store.get(slot("acct-1"));
      expect(server.isLive(stored?.refreshToken)).toBe(true);
      const handedOut = new Set(results.map((r) => (r.status === "fulfilled" ? r.value.accessToken : "")));
      expect([...handedOut]).toEqual([stored?.accessToken]);
    } finally {
      await server.stop();
    }
  });
});

/**
 * Wraps a store to play a process paused at one step: `pauseAfterLeasedRead` holds the read a holder
 * makes right after taking the lease (its answer goes stale while it waits), `pauseBeforeWrite` holds
 * the holder's fenced write, and `renewals` decides what lease renewals answer.
 */
class PausingStore implements SharedTokenStore {
  pauseAfterLeasedRead = 0;
  pauseBeforeWrite = 0;
  failWrites = 0;
  /** Apply the next N writes, then throw as if the connection dropped before the answer. */
  loseAnswers = 0;
  #leased = false;
  /** Resolves when this store first hands out a lease. */
  readonly leased: Promise<void>;
  #onLeased: () => void = () => {};
  constructor(readonly inner: SharedTokenStore) {
    this.leased = new Promise((resolve) => {
      this.#onLeased = resolve;
    });
  }
  get(key: string) {
    return this.inner.get(key);
  }
  set(key: string, token: TokenData) {
    return this.inner.set(key, token);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  async read(key: string): Promise<VersionedRecord> {
    const record = await this.inner.read(key);
    if (this.#leased && this.pauseAfterLeasedRead) {
      this.#leased = false;
      await sleep(this.pauseAfterLeasedRead);
    }
    return record;
  }
  async compareAndSet(key: string, token: TokenData, condition: WriteCondition) {
    if (condition.fence !== undefined && this.pauseBeforeWrite) await sleep(this.pauseBeforeWrite);
    if (condition.fence !== undefined && this.failWrites > 0) {
      this.failWrites--;
      throw new Error("connection refused");
    }
    const result = await this.inner.compareAndSet(key, token, condition);
    if (condition.fence !== undefined && this.loseAnswers > 0) {
      this.loseAnswers--;
      throw new Error("connection terminated after the write");
    }
    return result;
  }
  compareAndDelete(key: string, condition: WriteCondition) {
    return this.inner.compareAndDelete(key, condition);
  }
  async acquireLease(key: string, owner: string, ttlMs: number) {
    const fence = await this.inner.acquireLease(key, owner, ttlMs);
    if (fence !== undefined) {
      this.#leased = true;
      this.#onLeased();
    }
    return fence;
  }
  renewLease(key: string, owner: string, fence: number, ttlMs: number) {
    // A paused process renews nothing: the renewal waits as long as the pause.
    if (this.pauseAfterLeasedRead || this.pauseBeforeWrite) return new Promise<boolean>(() => {});
    return this.inner.renewLease(key, owner, fence, ttlMs);
  }
  releaseLease(key: string, owner: string, fence: number) {
    return this.inner.releaseLease(key, owner, fence);
  }
}

/** Short timings, so a paused holder's lease runs out within a test. */
const FAST = { timeoutMs: 300, writeBudgetMs: 100, leaseTtlMs: 500 };

async function pausedAndPeer(serverOptions: { omitRefreshToken?: boolean } = {}) {
  const server = await new ScriptedOAuthServer({ delayMs: 10, ...serverOptions }).start();
  const clock = manualClock();
  const shared = new MemoryTokenStore();
  const paused = new PausingStore(shared);
  const make = (store: TokenStore) =>
    createOAuthClient(testProvider({ url: server.url, now: clock.now }), { store, now: clock.now, ...FAST });
  const grant = server.issueGrant();
  await shared.set(slot("acct-1"), {
    accessToken: grant.accessToken,
    tokenType: "Bearer",
    refreshToken: grant.refreshToken,
    expiresAt: clock.now() - 1000,
    scopes: [],
    raw: {},
  });
  return { server, shared, paused, holder: make(paused), peer: make(shared) };
}

describe("a holder paused past its lease", () => {
  it("sends the refresh token its stale read holds, gets invalid_grant, re-reads and returns the peer's token (rule 6)", async () => {
    const { server, shared, paused, holder, peer } = await pausedAndPeer();
    try {
      paused.pauseAfterLeasedRead = FAST.leaseTtlMs + 300;
      const held = holder.getToken("acct-1");
      await paused.leased;
      await sleep(FAST.leaseTtlMs + 100); // the holder's lease has run out; the peer takes it
      const fromPeer = await peer.getToken("acct-1");
      const fromHolder = await held;
      expect(fromHolder.accessToken).toBe(fromPeer.accessToken);
      expect(server.tokenRequests).toBe(2);
      expect(server.invalidGrants).toBe(1);
      const stored = await shared.get(slot("acct-1"));
      expect(stored?.accessToken).toBe(fromPeer.accessToken);
      expect(server.isLive(stored?.refreshToken)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it("has its late write refused and returns the token the next holder stored (reusable refresh tokens)", async () => {
    const { server, shared, paused, holder, peer } = await pausedAndPeer({ omitRefreshToken: true });
    try {
      paused.pauseBeforeWrite = FAST.leaseTtlMs + 300;
      const held = holder.getToken("acct-1");
      await paused.leased;
      await sleep(FAST.leaseTtlMs + 100);
      const fromPeer = await peer.getToken("acct-1");
      const fromHolder = await held;
      // Both refreshed (a reusable token allows it); only the peer's write landed.
      expect(server.tokenRequests).toBe(2);
      expect(fromHolder.accessToken).toBe(fromPeer.accessToken);
      expect((await shared.get(slot("acct-1")))?.accessToken).toBe(fromPeer.accessToken);
    } finally {
      await server.stop();
    }
  });
});

describe("writing the refreshed token", () => {
  it("retries a failing store while the lease lives, then succeeds", async () => {
    const store = new PausingStore(new MemoryTokenStore());
    const { oauth, seedExpired, server } = await lifecycle({}, {}, store);
    await seedExpired();
    store.failWrites = 2;
    const token = await oauth.getToken("acct-1");
    expect((await store.get(slot("acct-1")))?.accessToken).toBe(token.accessToken);
    expect(server.tokenRequests).toBe(1);
  });

  it("recognizes its own write when the answer to it was lost (a dropped connection after commit)", async () => {
    const store = new PausingStore(new MemoryTokenStore());
    const { oauth, seedExpired, server } = await lifecycle({}, {}, store);
    await seedExpired();
    store.loseAnswers = 1;
    const token = await oauth.getToken("acct-1");
    const stored = await store.get(slot("acct-1"));
    expect(stored?.accessToken).toBe(token.accessToken);
    expect(server.isLive(stored?.refreshToken)).toBe(true);
  });

  it("a store that keeps failing: a typed error, both hooks, the new pair handed over, nothing deleted", async () => {
    const store = new PausingStore(new MemoryTokenStore());
    const unpersisted: TokenData[] = [];
    const refreshErrors: Error[] = [];
    const { oauth, seedExpired, server } = await lifecycle(
      {},
      {
        ...FAST,
        onUnpersistedToken: ({ token }) => void unpersisted.push(token),
        onRefreshError: ({ error }) => void refreshErrors.push(error),
      },
      store,
    );
    const old = await seedExpired();
    store.failWrites = 1_000;
    const error = await oauth.getToken("acct-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenNotPersistedError);
    expect(refreshErrors).toEqual([error]);
    expect(unpersisted).toHaveLength(1);
    // The rescued pair is the live grant at the provider; the store still has the old record.
    expect(server.isLive(unpersisted[0]?.refreshToken)).toBe(true);
    expect((await store.get(slot("acct-1")))?.refreshToken).toBe(old.refreshToken);
    expect(String(error)).not.toContain(unpersisted[0]?.refreshToken);
    expect(JSON.stringify(error)).not.toContain(unpersisted[0]?.accessToken);
  });
});

describe("an answer that delivers a new refresh token but fails a check", () => {
  it("stores the delivered refresh token, reports the parse error, and the next call refreshes with it", async () => {
    const { oauth, seedExpired, store, server } = await lifecycle();
    const old = await seedExpired();
    server.faults.push({ kind: "bad-expiry" });
    await expect(oauth.getToken("acct-1")).rejects.toBeInstanceOf(ResponseParseError);
    const kept = await store.get(slot("acct-1"));
    expect(kept?.refreshToken).not.toBe(old.refreshToken);
    expect(server.isLive(kept?.refreshToken)).toBe(true);
    const recovered = await oauth.getToken("acct-1");
    expect(server.tokenRequests).toBe(2);
    expect(server.invalidGrants).toBe(0);
    expect(server.isLive(recovered.refreshToken)).toBe(true);
  });
});

describe("a 429 on refresh", () => {
  it("exposes Retry-After and sends no further refresh of the key before it passes", async () => {
    const { oauth, seedExpired, server } = await lifecycle();
    await seedExpired();
    server.faults.push({
      kind: "status",
      status: 429,
      body: '{"error":"slow_down"}',
      headers: { "Retry-After": "2" },
    });
    const errors = [];
    for (let i = 0; i < 10; i++) errors.push(await oauth.getToken("acct-1").catch((e: unknown) => e));
    expect(server.tokenRequests).toBe(1);
    for (const error of errors) {
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).status).toBe(429);
      expect((error as ProviderError).retryAfterMs).toBeGreaterThan(0);
      expect((error as ProviderError).retryAfterMs).toBeLessThanOrEqual(2000);
    }
    await sleep(2100);
    const recovered = await oauth.getToken("acct-1");
    expect(server.tokenRequests).toBe(2);
    expect(server.isLive(recovered.refreshToken)).toBe(true);
  });
});

describe("waiting for a peer", () => {
  it("a lease held elsewhere that never ends gives a typed, retryable error after the wait budget", async () => {
    const store = new MemoryTokenStore();
    const { oauth, seedExpired, server } = await lifecycle({}, FAST, store);
    await seedExpired();
    await store.acquireLease(slot("acct-1"), "a process that hangs", 60_000);
    const started = Date.now();
    const error = await oauth.getToken("acct-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefreshPendingError);
    expect((error as RefreshPendingError).retryable).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(FAST.leaseTtlMs);
    expect(server.tokenRequests).toBe(0);
  });

  it("a store that blinks while a caller waits (a restart) does not fail the caller", async () => {
    let reads = 0;
    class BlinkingStore extends MemoryTokenStore {
      override async read(key: string) {
        reads++;
        // The facade's read and the coordinator's first read pass; the waiter's next three polls fail.
        if (reads >= 3 && reads <= 5) throw new StoreError("connection reset", { retryable: true });
        return super.read(key);
      }
    }
    const store = new BlinkingStore();
    const { oauth, seedExpired, server } = await lifecycle({}, FAST, store);
    await seedExpired();
    await store.acquireLease(slot("acct-1"), "a peer", 200);
    const token = await oauth.getToken("acct-1");
    expect(reads).toBeGreaterThan(5);
    expect(server.tokenRequests).toBe(1);
    expect(server.isLive(token.refreshToken)).toBe(true);
  });

  it("a holder that died is replaced once its lease expires", async () => {
    const store = new MemoryTokenStore();
    const { oauth, seedExpired, server } = await lifecycle({}, FAST, store);
    await seedExpired();
    await store.acquireLease(slot("acct-1"), "a process that died", 200);
    const token = await oauth.getToken("acct-1");
    expect(server.tokenRequests).toBe(1);
    expect(server.isLive(token.refreshToken)).toBe(true);
  });
});

describe("options", () => {
  it("refuses a lease TTL that does not outlast the request and the write", () => {
    const make = (leaseTtlMs: number) =>
      createOAuthClient(testProvider({ url: "http://127.0.0.1:1", now: Date.now }), {
        store: new MemoryTokenStore(),
        timeoutMs: 1000,
        writeBudgetMs: 500,
        leaseTtlMs,
      });
    expect(() => make(1500)).toThrow(InvalidInputError);
    expect(() => make(Number.NaN)).toThrow(InvalidInputError);
    expect(() => make(1501)).not.toThrow();
  });
});
