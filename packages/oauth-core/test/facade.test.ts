import { describe, expect, expectTypeOf, it } from "vitest";
import {
  AuthorizationDeniedError,
  createOAuthClient,
  InvalidInputError,
  MemoryTokenStore,
  type ProviderAdapter,
  ReauthorizationRequiredError,
  refreshing,
  revocationNotices,
  StateMismatchError,
  TokenNotFoundError,
  type TokenUpdateEvent,
} from "../src/index.js";
import { lifecycle, slot } from "./helpers.js";

describe("authorize and callback", () => {
  it("issues a fresh state and PKCE pair per call and puts the challenge in the URL", async () => {
    const { oauth } = await lifecycle();
    const a = await oauth.authorize({ scopes: ["read"] });
    const b = await oauth.authorize({ scopes: ["read"] });
    expect(a.state).not.toBe(b.state);
    expect(a.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
    expect(a.url.searchParams.get("state")).toBe(a.state);
    expect(a.url.searchParams.get("code_challenge")).toHaveLength(43);
  });

  it("rejects a forged state and a denied authorization before any request", async () => {
    const { oauth, server } = await lifecycle();
    const { state, codeVerifier } = await oauth.authorize({ scopes: [] });
    await expect(
      oauth.handleCallback("https://app.example/cb?code=c&state=forged", {
        expectedState: state,
        codeVerifier,
        account: "a",
      }),
    ).rejects.toBeInstanceOf(StateMismatchError);
    const denied = await oauth
      .handleCallback(
        `https://app.example/cb?error=access_denied&error_description=User+said+no&state=${state}`,
        {
          expectedState: state,
          codeVerifier,
          account: "a",
        },
      )
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AuthorizationDeniedError);
    expect(denied).toMatchObject({ code: "access_denied", description: "User said no" });
    expect(server.requests).toHaveLength(0);
  });

  it("appends the adapter's state suffix, checks the whole state and hands it to exchangeCode", async () => {
    const seen: (string | null)[] = [];
    const asked: unknown[] = [];
    const adapter: ProviderAdapter<{ scopes: string[] }> = {
      id: "suffixed",
      codeFlowTokenType: "default",
      pkce: "none",
      refreshTokens: "none",
      stateSuffix: (options) => {
        asked.push(options);
        return options.scopes.join(".");
      },
      authorizationUrl: ({ state }) => new URL(`https://auth.example/authorize?state=${state}`),
      exchangeCode: async ({ callbackParams }) => {
        seen.push(callbackParams.get("state"));
        return { accessToken: "at", tokenType: "bearer", scopes: [], raw: {} };
      },
    };
    const oauth = createOAuthClient(adapter, { store: new MemoryTokenStore() });
    const { url, state } = await oauth.authorize({ scopes: ["A_READ", "B_WRITE"] });
    expect(asked).toEqual([{ scopes: ["A_READ", "B_WRITE"] }]);
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}\.A_READ\.B_WRITE$/);
    expect(url.searchParams.get("state")).toBe(state);
    // The suffix is part of the state: a callback that changed it is refused before any exchange.
    await expect(
      oauth.handleCallback(`https://app.example/cb?code=c&state=${state.replace("B_WRITE", "C_ADMIN")}`, {
        expectedState: state,
        account: "a",
      }),
    ).rejects.toBeInstanceOf(StateMismatchError);
    expect(seen).toEqual([]);
    await oauth.handleCallback(`https://app.example/cb?code=c&state=${state}`, {
      expectedState: state,
      account: "a",
    });
    expect(seen).toEqual([state]);
    // A suffix with characters that would need escaping, or empty, is left out.
    for (const scopes of [["a b"], ["x/y"], [], ["é"]]) {
      expect((await oauth.authorize({ scopes })).state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect((await oauth.authorize({ scopes: ["X".repeat(1025)] })).state).toHaveLength(43);
  });

  it("requires the code verifier for a PKCE provider", async () => {
    const { oauth } = await lifecycle();
    await expect(oauth.exchange("code", { account: "a" })).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe("hooks", () => {
  it("onTokenUpdate sees refresh and revoke, after the store was written", async () => {
    const events: TokenUpdateEvent[] = [];
    const { oauth, seedExpired, store } = await lifecycle(
      {},
      {
        onTokenUpdate: async (event) => {
          events.push(event);
          expect((await store.get(slot("acct-1")))?.accessToken).toBe(event.token?.accessToken);
        },
      },
    );
    await seedExpired();
    const token = await oauth.getToken("acct-1");
    await oauth.revoke("acct-1");
    expect(events.map((e) => e.reason)).toEqual(["refresh", "revoke"]);
    expect(events[0]?.token?.accessToken).toBe(token.accessToken);
    expect(events[0]?.key).toEqual({ provider: "scripted", tokenType: "default", account: "acct-1" });
  });

  it("revoke of an expired token without refresh token deletes it without calling the provider", async () => {
    const { oauth, store, server } = await lifecycle();
    await store.set(slot("a"), { accessToken: "a", tokenType: "Bearer", expiresAt: 1, scopes: [], raw: {} });
    await oauth.revoke("a");
    expect(await store.get(slot("a"))).toBeUndefined();
    expect(server.requests).toHaveLength(0);
  });

  it("revoke of a grant the provider already dropped just cleans up", async () => {
    const { oauth, seedExpired, server, store } = await lifecycle();
    await seedExpired();
    server.faults.push({ kind: "status", status: 400, body: '{"error":"invalid_grant"}' });
    await oauth.revoke("acct-1");
    expect(await store.get(slot("acct-1"))).toBeUndefined();
    await expect(oauth.revoke("acct-1")).rejects.toBeInstanceOf(TokenNotFoundError);
  });
});

describe("capabilities", () => {
  const bare: ProviderAdapter<{ scope: "x" }, "default", { access_token: string }> = {
    id: "bare",
    codeFlowTokenType: "default",
    pkce: "none",
    refreshTokens: "none",
    authorizationUrl: ({ state }) => new URL(`https://bare.example/auth?state=${state}`),
    exchangeCode: async () => ({
      accessToken: "a",
      tokenType: "bearer",
      scopes: [],
      raw: { access_token: "a" },
    }),
  };

  it("the facade type offers only what the provider has; bypassing the types is refused at run time", async () => {
    const oauth = createOAuthClient(bare, { store: new MemoryTokenStore() });
    expectTypeOf(oauth).not.toHaveProperty("refresh");
    expectTypeOf(oauth).not.toHaveProperty("revoke");
    expectTypeOf(oauth).not.toHaveProperty("introspect");
    expectTypeOf(oauth).not.toHaveProperty("clientCredentials");
    expectTypeOf(oauth.authorize).parameter(0).toEqualTypeOf<{ scope: "x" }>();
    // @ts-expect-error refresh is not offered for a provider without refresh tokens
    expect(oauth.refresh).toBeUndefined();
    expectTypeOf(oauth).not.toHaveProperty("sweep");
    expectTypeOf(oauth).not.toHaveProperty("applyRevocation");
    for (const method of ["refresh", "sweep", "revoke", "introspect", "clientCredentials", "applyRevocation"])
      expect(method in oauth).toBe(false);
    expect(Object.isFrozen(oauth)).toBe(true);
  });

  it("an adapter with refreshToken but without the core's refresh machinery is refused up front", () => {
    const half = {
      ...bare,
      refreshTokens: "single-use" as const,
      refreshToken: async <T>(token: T) => token,
    };
    const error = (() => {
      try {
        createOAuthClient(half, { store: new MemoryTokenStore() });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(String(error)).toContain("adapter's refreshing is missing");
    // Likewise a revocationNotices that is not the core's.
    expect(() =>
      createOAuthClient(
        { ...bare, revocationNotices: {} as typeof revocationNotices },
        { store: new MemoryTokenStore() },
      ),
    ).toThrow(InvalidInputError);
  });

  it("the machinery an adapter brings is what the facade offers: refreshing gives refresh and sweep", () => {
    const withRefresh = {
      ...bare,
      refreshTokens: "reusable" as const,
      refreshing,
      refreshToken: async <T>(token: T) => token,
    };
    const oauth = createOAuthClient(withRefresh, { store: new MemoryTokenStore() });
    expectTypeOf(oauth).toHaveProperty("refresh");
    expectTypeOf(oauth).toHaveProperty("sweep");
    expect(typeof oauth.refresh).toBe("function");
    expect(typeof oauth.sweep).toBe("function");
    expect("applyRevocation" in oauth).toBe(false);
    const notices = createOAuthClient({ ...bare, revocationNotices }, { store: new MemoryTokenStore() });
    expectTypeOf(notices).toHaveProperty("applyRevocation");
    expect(typeof notices.applyRevocation).toBe("function");
    expect("refresh" in notices).toBe(false);
  });

  it("an expired token of a provider without refresh needs reauthorization", async () => {
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(bare, { store });
    await store.set("bare:default:~a", {
      accessToken: "a",
      tokenType: "bearer",
      expiresAt: 1,
      scopes: [],
      raw: {},
    });
    await expect(oauth.getToken("a")).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    // With the types bypassed, the missing capability is missing at run time too.
    expect((oauth as unknown as { refresh?: unknown }).refresh).toBeUndefined();
  });

  it("rejects an expired token without refresh token with ReauthorizationRequiredError", async () => {
    const { oauth, store } = await lifecycle();
    await store.set(slot("a"), { accessToken: "a", tokenType: "Bearer", expiresAt: 1, scopes: [], raw: {} });
    await expect(oauth.getToken("a")).rejects.toBeInstanceOf(ReauthorizationRequiredError);
  });
});

describe("accounts", () => {
  it("an account with a lone surrogate is refused before the code is exchanged (no orphaned grant)", async () => {
    const { oauth, server } = await lifecycle();
    for (const account of ["\uD800", "a\uDC00b", "x\uD83D"]) {
      await expect(oauth.exchange("code", { account, codeVerifier: "v".repeat(43) })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    }
    expect(server.tokenRequests).toBe(0);
    // A well-formed pair is fine.
    await expect(
      oauth.exchange("code", { account: "merchant-😀", codeVerifier: "v".repeat(43) }),
    ).resolves.toBeDefined();
  });
});
