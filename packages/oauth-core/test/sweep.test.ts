import { afterEach, describe, expect, it } from "vitest";
import {
  createOAuthClient,
  type DueQuery,
  InvalidInputError,
  MemoryTokenStore,
  type OAuthClientOptions,
  providerError,
  ReauthorizationRequiredError,
  type RequestContext,
  StoreError,
  startSweeper,
  storeKey,
  sweepAll,
  type TokenData,
  TokenNotPersistedError,
  type TokenUpdateEvent,
  UnsupportedOperationError,
  type WriteCondition,
  type WriteResult,
} from "../src/index.js";
import { manualClock } from "./helpers.js";
import { PlainStore } from "./support/plain-store.js";
import { ScriptedOAuthServer, type ScriptedServerOptions } from "./support/scripted-server.js";
import { testProvider } from "./support/test-provider.js";

const DAY = 86_400_000;
const servers: ScriptedOAuthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A server whose refresh tokens die after 30 unused days (TrueLayer's window) on a manual clock. */
async function setup(
  serverOptions: ScriptedServerOptions = {},
  clientOptions: Partial<OAuthClientOptions> = {},
  store: MemoryTokenStore = new MemoryTokenStore(),
) {
  const clock = manualClock();
  const server = await new ScriptedOAuthServer({
    refreshTokenLifetimeMs: 30 * DAY,
    clock: clock.now,
    ...serverOptions,
  }).start();
  servers.push(server);
  const provider = testProvider({ url: server.url, now: clock.now, refreshTokenLifetimeMs: 30 * DAY });
  const updates: TokenUpdateEvent[] = [];
  const oauth = createOAuthClient(provider, {
    store,
    now: clock.now,
    timeoutMs: 5_000,
    onTokenUpdate: (event) => void updates.push(event),
    ...clientOptions,
  });
  /** Connects `count` accounts through the code exchange, `spacingMs` apart on the clock. */
  async function connect(count: number, spacingMs = 0) {
    for (let i = 0; i < count; i++) {
      await oauth.exchange(`code-${i}`, { account: `acct-${i}`, codeVerifier: "v".repeat(43) });
      clock.advance(spacingMs);
    }
  }
  const stored = async (i: number) =>
    store.get(storeKey({ provider: "scripted", tokenType: "default", account: `acct-${i}` }));
  return { clock, server, provider, oauth, store, updates, connect, stored };
}

describe("refreshDueAt: every write says when the grant must next be refreshed", () => {
  it("a code exchange and a refresh set it a quarter of the window (at most 7 days) before the refresh token dies", async () => {
    const { oauth, clock, stored, connect } = await setup();
    await connect(1);
    const exchanged = (await stored(0)) as TokenData;
    expect(exchanged.refreshDueAt).toBe(clock.now() + 23 * DAY);
    clock.advance(10 * DAY);
    await oauth.refresh("acct-0");
    expect((await stored(0))?.refreshDueAt).toBe(clock.now() + 23 * DAY);
  });

  it("the provider's own refreshTokenExpiresAt wins when it comes first; a token without refresh token has none", async () => {
    const { refreshDueAt } = await import("../src/index.js");
    const base = { accessToken: "a", tokenType: "Bearer", scopes: [], raw: {} };
    const now = Date.UTC(2026, 0, 1);
    expect(
      refreshDueAt({ ...base, refreshToken: "r", refreshTokenExpiresAt: now + 8 * DAY }, now, 30 * DAY),
    ).toBe(now + 6 * DAY);
    expect(refreshDueAt({ ...base, refreshToken: "r" }, now, undefined)).toBeUndefined();
    expect(refreshDueAt(base, now, 30 * DAY)).toBeUndefined();
    expect(refreshDueAt({ ...base, refreshToken: "r" }, now, 365 * DAY)).toBe(now + 358 * DAY);
  });
});

describe("oauth.sweep", () => {
  it("refreshes exactly the grants due before `before`, earliest first, and tells onTokenUpdate", async () => {
    const { oauth, clock, server, connect, stored, updates } = await setup();
    await connect(6, DAY); // due on days 23..28
    const before = (await stored(2))?.refreshDueAt as number;
    clock.set(before);
    updates.length = 0;
    const report = await oauth.sweep();
    expect(report.refreshed.map((g) => g.account)).toEqual(["acct-0", "acct-1", "acct-2"]);
    expect(report).toMatchObject({ skipped: [], dead: [], failed: [], more: false });
    expect(report.stopped).toBeUndefined();
    expect(server.refreshed).toHaveLength(3);
    expect(updates.map((u) => [u.key.account, u.reason])).toEqual([
      ["acct-0", "refresh"],
      ["acct-1", "refresh"],
      ["acct-2", "refresh"],
    ]);
    for (const i of [0, 1, 2]) expect((await stored(i))?.refreshDueAt).toBe(clock.now() + 23 * DAY);
    // A second sweep at the same instant finds nothing due.
    const again = await oauth.sweep();
    expect(again.refreshed).toHaveLength(0);
    expect(server.refreshed).toHaveLength(3);
  });

  it("keeps every grant alive for a year on a daily sweep while the clock moves; without it they die", async () => {
    const { oauth, clock, connect, server } = await setup();
    await connect(20, 3 * 3_600_000);
    for (let day = 0; day < 365; day++) {
      clock.advance(DAY);
      const report = await oauth.sweep({ maxPerSecond: Number.POSITIVE_INFINITY });
      expect(report.dead).toEqual([]);
      expect(report.failed).toEqual([]);
    }
    for (let i = 0; i < 20; i++) await expect(oauth.refresh(`acct-${i}`)).resolves.toBeDefined();
    // About one refresh per grant every 23 days: 365 / 23 ≈ 15.9.
    expect(server.refreshed.length).toBeGreaterThanOrEqual(20 * 15);
    expect(server.refreshed.length).toBeLessThanOrEqual(20 * 17);

    const unswept = await setup();
    await unswept.connect(3);
    unswept.clock.advance(31 * DAY);
    await expect(unswept.oauth.refresh("acct-0")).rejects.toBeInstanceOf(ReauthorizationRequiredError);
  });

  it("skips a grant whose lease another caller holds, and one refreshed by a peer since it was listed", async () => {
    const store = new MemoryTokenStore();
    const { oauth, clock, connect, server, stored } = await setup({}, {}, store);
    await connect(2);
    clock.advance(24 * DAY);
    const held = storeKey({ provider: "scripted", tokenType: "default", account: "acct-0" });
    const fence = (await store.acquireLease(held, "a peer", 60_000)) as number;
    const report = await oauth.sweep();
    expect(report.skipped).toEqual([expect.objectContaining({ account: "acct-0", reason: "held" })]);
    expect(report.refreshed.map((g) => g.account)).toEqual(["acct-1"]);
    await store.releaseLease(held, "a peer", fence);

    // Listed due, refreshed by a peer before its turn: no longer due under the lease, so skipped.
    const listDue = store.listDue.bind(store);
    store.listDue = async (query: DueQuery) => {
      const page = await listDue(query);
      await oauth.refresh("acct-0");
      return page;
    };
    const raced = await oauth.sweep();
    expect(raced.skipped).toEqual([expect.objectContaining({ account: "acct-0", reason: "not_due" })]);
    expect(raced.refreshed).toEqual([]);
    expect(server.refreshed).toHaveLength(2);
    expect((await stored(0))?.refreshDueAt).toBeGreaterThan(clock.now());
  });

  it("reports a grant the provider rejects as dead, removes it, and tells onRefreshError", async () => {
    const errors: unknown[] = [];
    const { oauth, clock, connect, server, stored } = await setup(
      {},
      { onRefreshError: (e) => void errors.push(e) },
    );
    await connect(2);
    server.revokeRefreshToken((await stored(0))?.refreshToken as string);
    clock.advance(24 * DAY);
    const report = await oauth.sweep();
    expect(report.dead).toEqual([expect.objectContaining({ account: "acct-0" })]);
    expect(report.dead[0]?.error).toBeInstanceOf(ReauthorizationRequiredError);
    expect(report.refreshed.map((g) => g.account)).toEqual(["acct-1"]);
    expect(await stored(0)).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ grantRemoved: true })]);
  });

  it("waits out a 429's Retry-After within maxBackoffMs, and stops when it asks for longer", async () => {
    const { oauth, clock, connect, server } = await setup();
    await connect(4);
    clock.advance(24 * DAY);
    server.faults.push({
      kind: "status",
      status: 429,
      body: '{"error":"rate_limited"}',
      headers: { "Retry-After": "1" },
    });
    const started = Date.now();
    const report = await oauth.sweep({ concurrency: 1, maxPerSecond: Number.POSITIVE_INFINITY });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(report.backoffs).toBe(1);
    expect(report.failed).toEqual([expect.objectContaining({ account: "acct-0" })]);
    expect(report.refreshed.map((g) => g.account)).toEqual(["acct-1", "acct-2", "acct-3"]);

    clock.advance(24 * DAY);
    server.faults.push({ kind: "status", status: 429, body: "{}", headers: { "Retry-After": "120" } });
    const stopped = await oauth.sweep({ concurrency: 1 });
    expect(stopped.stopped).toMatchObject({ reason: "rate_limited", retryAfterMs: 120_000 });
    expect(stopped.refreshed).toEqual([]);
    expect(server.tokenRequests).toBe(4 + 4 + 1); // exchanges, first sweep, the one 429
  });

  it("stops after three refreshes in a row fail to reach the provider; the grants stay for the next sweep", async () => {
    const { oauth, clock, connect, server, stored } = await setup();
    await connect(6);
    clock.advance(24 * DAY);
    for (let i = 0; i < 3; i++) server.faults.push({ kind: "status", status: 503 });
    const report = await oauth.sweep({ concurrency: 1 });
    expect(report.stopped).toMatchObject({ reason: "provider_unavailable" });
    expect(report.failed).toHaveLength(3);
    expect(report.refreshed).toHaveLength(0);
    for (let i = 0; i < 6; i++) expect(await stored(i)).toBeDefined();
    const next = await oauth.sweep({ maxPerSecond: Number.POSITIVE_INFINITY });
    expect(next.refreshed).toHaveLength(6);
  });

  it("grants the provider keeps failing go last in the client's next sweeps, so they cannot starve the others", async () => {
    const { clock, connect, provider, store, stored } = await setup();
    await connect(6);
    // The provider answers 503 for the three earliest grants, whatever happens: they head the due list.
    const broken = new Set<string>();
    const flaky = {
      ...provider,
      refreshToken: (token: TokenData<Record<string, unknown>>, ctx: RequestContext) => {
        return token.refreshToken && broken.has(token.refreshToken)
          ? Promise.reject(providerError(ctx, { status: 503 }))
          : provider.refreshToken(token, ctx);
      },
    };
    for (let i = 0; i < 3; i++) broken.add(((await stored(i)) as TokenData).refreshToken as string);
    const sweeper = createOAuthClient(flaky, { store, now: clock.now, timeoutMs: 5_000 });
    clock.advance(24 * DAY);
    const options = { concurrency: 1, maxPerSecond: Number.POSITIVE_INFINITY };
    const accounts = (grants: { account: string | undefined }[]) => grants.map((g) => g.account);
    const first = await sweeper.sweep(options);
    expect(first.stopped).toMatchObject({ reason: "provider_unavailable" });
    expect(accounts(first.failed)).toEqual(["acct-0", "acct-1", "acct-2"]);
    expect(first.refreshed).toEqual([]);
    // The next sweep refreshes the others first, then tries the three again (still counted).
    const second = await sweeper.sweep(options);
    expect(accounts(second.refreshed)).toEqual(["acct-3", "acct-4", "acct-5"]);
    expect(accounts(second.failed)).toEqual(["acct-0", "acct-1", "acct-2"]);
    expect(second.stopped).toMatchObject({ reason: "provider_unavailable" });
    // Once they recover they are refreshed like any other.
    broken.clear();
    const third = await sweeper.sweep(options);
    expect(accounts(third.refreshed)).toEqual(["acct-0", "acct-1", "acct-2"]);
    expect(third.stopped).toBeUndefined();
  });

  it("an outage over several sweeps costs three requests per sweep, however many grants failed before", async () => {
    const { clock, connect, provider, store } = await setup();
    await connect(12);
    let requests = 0;
    const down = {
      ...provider,
      refreshToken: (_token: TokenData<Record<string, unknown>>, ctx: RequestContext) => {
        requests++;
        return Promise.reject(providerError(ctx, { status: 503 }));
      },
    };
    const sweeper = createOAuthClient(down, { store, now: clock.now, timeoutMs: 5_000 });
    clock.advance(24 * DAY);
    for (let round = 0; round < 6; round++) {
      requests = 0;
      const report = await sweeper.sweep({ concurrency: 1, maxPerSecond: Number.POSITIVE_INFINITY });
      expect(report.stopped).toMatchObject({ reason: "provider_unavailable" });
      expect(requests).toBe(3);
    }
  });

  it("a store that fails mid-sweep stops it with a typed error and nothing is deleted", async () => {
    class FailingWrites extends MemoryTokenStore {
      failWrites = false;
      override async compareAndSet(
        key: string,
        token: TokenData,
        condition: WriteCondition,
      ): Promise<WriteResult> {
        if (this.failWrites) throw new StoreError("store down", { retryable: false });
        return super.compareAndSet(key, token, condition);
      }
    }
    const store = new FailingWrites();
    const unpersisted: unknown[] = [];
    const { oauth, clock, connect, stored } = await setup(
      {},
      { onUnpersistedToken: (e) => void unpersisted.push(e), writeBudgetMs: 50 },
      store,
    );
    await connect(4);
    clock.advance(24 * DAY);
    store.failWrites = true;
    const report = await oauth.sweep({ concurrency: 1 });
    expect(report.stopped).toMatchObject({ reason: "store_failed" });
    expect(report.failed[0]?.error).toBeInstanceOf(TokenNotPersistedError);
    expect(report.failed).toHaveLength(1);
    expect(unpersisted).toHaveLength(1);
    for (let i = 0; i < 4; i++) expect(await stored(i)).toBeDefined();

    store.listDue = async () => {
      throw new StoreError("index down", { retryable: true });
    };
    const listing = await oauth.sweep();
    expect(listing.stopped).toMatchObject({ reason: "store_failed", error: expect.any(StoreError) });
  });

  it("bounds concurrency and paces starts by maxPerSecond", async () => {
    const { oauth, clock, connect, server } = await setup({ delayMs: 40 });
    await connect(12);
    clock.advance(24 * DAY);
    server.maxConcurrentTokenRequests = 0;
    const report = await oauth.sweep({ concurrency: 3, maxPerSecond: Number.POSITIVE_INFINITY });
    expect(report.refreshed).toHaveLength(12);
    expect(server.maxConcurrentTokenRequests).toBe(3);

    clock.advance(24 * DAY);
    const started = Date.now();
    await oauth.sweep({ concurrency: 12, maxPerSecond: 25 });
    // 12 starts 40 ms apart: the last one starts 440 ms after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(430);
  });

  it("`limit` caps a sweep and says more are due; a signal stops starting new refreshes and waits for those in flight", async () => {
    const { oauth, clock, connect, server } = await setup({ delayMs: 50 });
    await connect(10);
    clock.advance(24 * DAY);
    const limited = await oauth.sweep({ limit: 4, maxPerSecond: Number.POSITIVE_INFINITY });
    expect(limited.refreshed).toHaveLength(4);
    expect(limited.more).toBe(true);

    const controller = new AbortController();
    const before = server.refreshed.length;
    const sweeping = oauth.sweep({
      concurrency: 2,
      maxPerSecond: Number.POSITIVE_INFINITY,
      signal: controller.signal,
    });
    await server.tokenRequestArrived();
    controller.abort();
    const report = await sweeping;
    expect(report.stopped).toEqual({ reason: "cancelled" });
    expect(report.refreshed.length).toBeGreaterThanOrEqual(1);
    expect(report.refreshed.length).toBeLessThanOrEqual(2);
    expect(server.refreshed.length - before).toBe(report.refreshed.length);
    expect(report.failed).toEqual([]);
  });

  it("refuses bad options with InvalidInputError, and a store without a due index with UnsupportedOperationError", async () => {
    const { oauth, server, clock } = await setup();
    for (const options of [
      { limit: 0 },
      { concurrency: 1.5 },
      { before: Number.NaN },
      { maxPerSecond: 0 },
      { maxBackoffMs: -1 },
      { signal: {} as AbortSignal },
    ]) {
      await expect(oauth.sweep(options)).rejects.toBeInstanceOf(InvalidInputError);
    }
    const plain = createOAuthClient(testProvider({ url: server.url, now: clock.now }), {
      store: new PlainStore(),
    });
    await expect(plain.sweep()).rejects.toBeInstanceOf(UnsupportedOperationError);
  });
});

describe("sweepAll and startSweeper", () => {
  it("sweepAll sweeps several providers' clients over one store and reports per provider", async () => {
    const clock = manualClock();
    const store = new MemoryTokenStore();
    const server = await new ScriptedOAuthServer().start();
    servers.push(server);
    const clients = ["alpha", "beta"].map((id) =>
      createOAuthClient(
        testProvider({ id, url: server.url, now: clock.now, refreshTokenLifetimeMs: 90 * DAY }),
        {
          store,
          now: clock.now,
        },
      ),
    );
    for (const [i, client] of clients.entries()) {
      for (let n = 0; n <= i; n++)
        await client.exchange("code", { account: `a${n}`, codeVerifier: "v".repeat(43) });
    }
    clock.advance(84 * DAY);
    const reports = await sweepAll(clients);
    expect(reports.alpha?.refreshed.map((g) => g.account)).toEqual(["a0"]);
    expect(reports.beta?.refreshed.map((g) => g.account)).toEqual(["a0", "a1"]);
  });

  it("startSweeper runs rounds until stopped, with `before` at now + aheadMs", async () => {
    const { oauth, connect, clock } = await setup();
    await connect(2);
    clock.advance(20 * DAY);
    const rounds: number[] = [];
    const sweeper = startSweeper([oauth], {
      everyMs: 1_000,
      aheadMs: 4 * DAY,
      now: clock.now,
      maxPerSecond: Number.POSITIVE_INFINITY,
      onReport: (reports) => void rounds.push(reports.scripted?.refreshed.length ?? -1),
    });
    await expect.poll(() => rounds.length, { timeout: 4_000, interval: 50 }).toBeGreaterThanOrEqual(2);
    await sweeper.stop();
    const after = rounds.length;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(rounds.length).toBe(after);
    expect(rounds[0]).toBe(2);
    expect(rounds[1]).toBe(0);
    expect(() => startSweeper([oauth], { everyMs: 10 })).toThrow(InvalidInputError);
  });
});
