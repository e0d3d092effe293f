import { afterEach, describe, expect, it } from "vitest";
import {
  createOAuthClient,
  describeToken,
  InvalidInputError,
  MemoryTokenStore,
  ReauthorizationRequiredError,
  RequestAbortedError,
  TimeoutError,
  type TokenData,
  TokenNotPersistedError,
  type TokenStore,
} from "../src/index.js";
import { lifecycle, manualClock, slot } from "./helpers.js";
import { ScriptedOAuthServer } from "./support/scripted-server.js";
import { testProvider } from "./support/test-provider.js";

const VERIFIER = "v".repeat(43);

/** Records unhandled rejections while a test runs: a shared refresh nobody awaits must not crash. */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);
afterEach(() => {
  unhandled.length = 0;
});

/** Lets pending timers and I/O callbacks run, so a late rejection would have surfaced. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("callers that cannot wait never start a refresh", () => {
  it("an already-aborted signal sends nothing and leaves no rejection behind", async () => {
    const { oauth, seedExpired, server } = await lifecycle();
    await seedExpired();
    server.faults.push({ kind: "status", status: 500 });
    const controller = new AbortController();
    controller.abort();
    await expect(oauth.getToken("acct-1", { signal: controller.signal })).rejects.toBeInstanceOf(
      RequestAbortedError,
    );
    await expect(oauth.refresh("acct-1", { signal: controller.signal })).rejects.toBeInstanceOf(
      RequestAbortedError,
    );
    await settle();
    expect(server.tokenRequests).toBe(0);
    expect(unhandled).toEqual([]);
  });

  it.each([-1, Number.NaN, 3e9])(
    "a per-call timeoutMs of %s is refused before any request",
    async (timeoutMs) => {
      const { oauth, seedExpired, server } = await lifecycle();
      await seedExpired();
      await expect(oauth.getToken("acct-1", { timeoutMs })).rejects.toBeInstanceOf(InvalidInputError);
      await expect(
        oauth.exchange("code", { account: "b", codeVerifier: VERIFIER, timeoutMs }),
      ).rejects.toBeInstanceOf(InvalidInputError);
      await settle();
      expect(server.tokenRequests).toBe(0);
      expect(unhandled).toEqual([]);
    },
  );

  it("a client timeout Node's timers cannot hold is refused", () => {
    expect(() =>
      createOAuthClient(testProvider({ url: "http://127.0.0.1:1", now: Date.now }), {
        store: new MemoryTokenStore(),
        timeoutMs: 2 ** 31,
      }),
    ).toThrow(InvalidInputError);
  });
});

describe("store writes of one account never interleave with a refresh", () => {
  it("forget during a refresh: the token stays forgotten and the refreshed pair goes to the hook", async () => {
    const unpersisted: string[] = [];
    const { oauth, seedExpired, store, server } = await lifecycle(
      { delayMs: 150 },
      { onUnpersistedToken: ({ token }) => void unpersisted.push(token.accessToken) },
    );
    await seedExpired();
    const refreshing = oauth.getToken("acct-1");
    await server.tokenRequestArrived();
    await oauth.forget("acct-1");
    // Nobody gets a token the store does not hold.
    await expect(refreshing).rejects.toBeInstanceOf(TokenNotPersistedError);
    expect(await store.get(slot("acct-1"))).toBeUndefined();
    expect(unpersisted).toHaveLength(1);
    expect(unpersisted[0]).toMatch(/^at-/);
  });

  // In both reconnect cases the refresh answers last (a delay fault on it), so without the per-key
  // lock its write or delete would land on top of the reconnect's new grant.
  it("a reconnect during a refresh that ends in invalid_grant keeps the new grant", async () => {
    const { oauth, store, clock, server } = await lifecycle();
    server.faults.push({ kind: "delay", ms: 300 });
    await store.set(slot("acct-1"), {
      accessToken: "old-access",
      tokenType: "Bearer",
      refreshToken: "rt-the-server-never-issued",
      expiresAt: clock.now() - 1000,
      scopes: [],
      raw: {},
    });
    const refreshing = oauth.getToken("acct-1");
    await server.tokenRequestArrived();
    const reconnected = await oauth.exchange("code", { account: "acct-1", codeVerifier: VERIFIER });
    // The re-read after invalid_grant finds the new grant: the caller gets it instead of an error.
    await expect(refreshing).resolves.toMatchObject({ accessToken: reconnected.accessToken });
    expect(await store.get(slot("acct-1"))).toMatchObject({ accessToken: reconnected.accessToken });
  });

  it("a reconnect during a successful refresh is not overwritten by the refreshed old grant", async () => {
    const { oauth, seedExpired, store, server } = await lifecycle();
    await seedExpired();
    server.faults.push({ kind: "delay", ms: 300 });
    const refreshing = oauth.getToken("acct-1");
    await server.tokenRequestArrived();
    const reconnected = await oauth.exchange("code", { account: "acct-1", codeVerifier: VERIFIER });
    const refreshed = await refreshing;
    // The refresh's compare-and-set lost to the reconnect: its caller gets the stored, newer grant.
    expect(refreshed.accessToken).toBe(reconnected.accessToken);
    expect(server.tokenRequests).toBe(2);
    expect(await store.get(slot("acct-1"))).toMatchObject({ accessToken: reconnected.accessToken });
  });

  it("a hook may call back into the client for the same account without a deadlock", async () => {
    const store = new MemoryTokenStore();
    const server = await new ScriptedOAuthServer().start();
    try {
      const clock = manualClock();
      const oauth = createOAuthClient(testProvider({ url: server.url, now: clock.now }), {
        store,
        now: clock.now,
        onRefreshError: async ({ key }) => {
          await oauth.forget(key.account as string);
        },
      });
      await store.set(slot("acct-1"), {
        accessToken: "a",
        tokenType: "Bearer",
        refreshToken: "rt-unknown",
        expiresAt: clock.now() - 1,
        scopes: [],
        raw: {},
      });
      await expect(oauth.getToken("acct-1", { timeoutMs: 3000 })).rejects.toBeInstanceOf(
        ReauthorizationRequiredError,
      );
    } finally {
      await server.stop();
    }
  });
});

describe("refresh conditions", () => {
  /** A store whose reads take a while, so a flight is still running when the next caller arrives. */
  class SlowReads extends MemoryTokenStore {
    override async get(key: string): Promise<TokenData | undefined> {
      await new Promise((resolve) => setTimeout(resolve, 40));
      return super.get(key);
    }
  }

  it("a caller rejecting the stored token is not handed it by a flight started for another one", async () => {
    const { oauth, seedExpired, server } = await lifecycle({}, {}, new SlowReads());
    const grant = await seedExpired();
    const current = await oauth.getToken("acct-1"); // refreshes once: the stored token is now `current`
    expect(server.tokenRequests).toBe(1);
    const [stale, rejected] = await Promise.all([
      oauth.refresh("acct-1", { ifAccessToken: grant.accessToken }), // already replaced: no refresh
      oauth.refresh("acct-1", { ifAccessToken: current.accessToken }), // joins it, then needs its own
    ]);
    expect(stale.accessToken).toBe(current.accessToken);
    expect(rejected.accessToken).not.toBe(current.accessToken);
    expect(server.tokenRequests).toBe(2);
  });

  it("an empty refresh_token in a response keeps the stored one", async () => {
    const { oauth, seedExpired, store } = await lifecycle({ blankRefreshToken: true });
    const grant = await seedExpired();
    await oauth.getToken("acct-1");
    expect(await store.get(slot("acct-1"))).toMatchObject({ refreshToken: grant.refreshToken });
    await expect(oauth.refresh("acct-1")).resolves.toMatchObject({ refreshToken: grant.refreshToken });
  });

  it("a token without a refresh token is handed out while it lives, and revoked at the provider", async () => {
    const store = new MemoryTokenStore();
    const clock = manualClock();
    const revoked: string[] = [];
    const provider = {
      ...testProvider({ url: "http://127.0.0.1:9", now: clock.now }),
      async revokeToken(token: TokenData) {
        revoked.push(token.accessToken);
      },
    };
    const oauth = createOAuthClient(provider, { store, now: clock.now });
    const record = {
      accessToken: "still-alive",
      tokenType: "Bearer",
      expiresAt: clock.now() + 30_000,
      scopes: [],
      raw: {},
    };
    await store.set(slot("acct-1"), record);
    await expect(oauth.getToken("acct-1")).resolves.toMatchObject({ accessToken: "still-alive" });
    await oauth.revoke("acct-1");
    expect(revoked).toEqual(["still-alive"]);
    await store.set(slot("acct-2"), record);
    clock.advance(30_000);
    await expect(oauth.getToken("acct-2")).rejects.toBeInstanceOf(ReauthorizationRequiredError);
  });

  it("an adapter that ignores the abort signal cannot hang the account", async () => {
    const store = new MemoryTokenStore();
    const clock = manualClock();
    const hanging = {
      ...testProvider({ url: "http://127.0.0.1:9", now: clock.now }),
      refreshToken: () => new Promise<never>(() => {}),
    };
    const oauth = createOAuthClient(hanging, { store, now: clock.now, timeoutMs: 100 });
    await store.set(slot("acct-1"), {
      accessToken: "a",
      tokenType: "Bearer",
      refreshToken: "r",
      expiresAt: clock.now() - 1,
      scopes: [],
      raw: {},
    });
    await expect(oauth.getToken("acct-1")).rejects.toBeInstanceOf(TimeoutError);
    await expect(oauth.getToken("acct-1")).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe("adapters that break the contract a little", () => {
  it("one that returns its token without a promise still refreshes", async () => {
    const store = new MemoryTokenStore();
    const clock = manualClock();
    const plain = {
      ...testProvider({ url: "http://127.0.0.1:9", now: clock.now }),
      // Breaks the declared type on purpose, as a hand-written JavaScript adapter might.
      refreshToken: (() => ({
        accessToken: "fresh",
        tokenType: "Bearer",
        scopes: [],
        raw: {},
      })) as unknown as () => Promise<TokenData>,
    };
    const oauth = createOAuthClient(plain, { store, now: clock.now });
    await store.set(slot("acct-1"), {
      accessToken: "a",
      tokenType: "Bearer",
      refreshToken: "r",
      expiresAt: clock.now() - 1,
      scopes: [],
      raw: {},
    });
    await expect(oauth.getToken("acct-1")).resolves.toMatchObject({
      accessToken: "fresh",
      refreshToken: "r",
    });
  });
});

describe("records a store hands back", () => {
  const malformed: [string, unknown][] = [
    ["a string", "token"],
    ["no access token", { tokenType: "Bearer", scopes: [], raw: {} }],
    ["scopes missing", { accessToken: "a", tokenType: "Bearer", raw: {} }],
    [
      "a string expiry",
      { accessToken: "a", tokenType: "Bearer", scopes: [], expiresAt: "tomorrow", raw: {} },
    ],
    [
      "a numeric refresh token",
      { accessToken: "a", tokenType: "Bearer", scopes: [], refreshToken: 7, raw: {} },
    ],
  ];

  it.each(malformed)("refuses %s with InvalidInputError instead of handing it out", async (_name, record) => {
    const store: TokenStore = {
      get: async () => record as TokenData,
      set: async () => {},
      delete: async () => {},
    };
    const oauth = createOAuthClient(testProvider({ url: "http://127.0.0.1:9", now: Date.now }), { store });
    await expect(oauth.getToken("acct-1")).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("printing a token with an impossible expiry does not throw", () => {
    const text = describeToken({
      accessToken: "a",
      tokenType: "Bearer",
      scopes: [],
      expiresAt: 1e20,
      raw: {},
    });
    expect(text).toContain("expiresAt:");
  });
});
