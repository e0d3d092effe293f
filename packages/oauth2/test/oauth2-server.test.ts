import {
  bearerAuth,
  createOAuthClient,
  InvalidClientError,
  MemoryTokenStore,
  ReauthorizationRequiredError,
  storeKey,
} from "@partner-oauth/core";
import { assertNoSecrets } from "@partner-oauth/mocks";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauth2 } from "../src/index.js";
import { type OAuth2ServerHandle, startOAuth2Server } from "./support/oauth2-server.js";

// The generic adapter against a real @node-oauth/oauth2-server set up as Open Collective runs it: static
// metadata (the library publishes none), client_secret_post, form bodies, single-use rotating refresh
// tokens. The lifecycle, the shared-store rules and the bearer middleware run through it.

let server: OAuth2ServerHandle;
beforeAll(async () => {
  server = await startOAuth2Server({ delayMs: 20 });
});
afterAll(async () => {
  await server?.stop();
});

function provider(secret = server.client.secret) {
  return oauth2({
    id: "oc-like",
    clientId: server.client.id,
    clientSecret: secret,
    redirectUri: server.redirectUri,
    metadata: {
      issuer: server.baseUrl,
      authorization_endpoint: `${server.baseUrl}/oauth/authorize`,
      token_endpoint: `${server.baseUrl}/oauth/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post"],
      grant_types_supported: ["authorization_code", "refresh_token"],
    },
    // opencollective-api deletes the used refresh token when it issues the next one.
    refreshTokens: "single-use",
  });
}

async function connect(
  oauth: ReturnType<typeof createOAuthClient<ReturnType<typeof provider>>>,
  account: string,
) {
  const { url, state, codeVerifier } = await oauth.authorize({ scopes: ["email", "account"] });
  const redirect = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
  expect(redirect.status).toBe(302);
  const callback = redirect.headers.get("location") as string;
  // oauth2-server sends no `iss` (RFC 9207) and its metadata, given here, does not promise one.
  expect(new URL(callback).searchParams.has("iss")).toBe(false);
  return oauth.handleCallback(callback, { expectedState: state, codeVerifier, account });
}

const key = (account: string) => storeKey({ provider: "oc-like", tokenType: "default", account });

describe("the lifecycle", () => {
  it("picks client_secret_post from the metadata, and no PKCE since none is advertised", () => {
    const p = provider();
    expect(p.clientAuth).toBe("client_secret_post");
    expect(p.pkce).toBe("none");
    expect(p.refreshTokens).toBe("single-use");
  });

  it("exchanges the code (secret in the form body), refreshes with rotation, and a reused refresh token ends the grant", async () => {
    const requests: Request[] = [];
    const recording: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      requests.push(request.clone());
      return fetch(request);
    };
    const p = oauth2({ ...providerOptions(), fetch: recording });
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(p, { store, timeoutMs: 5000 });
    const token = await connect(oauth, "m-1");
    expect(token.scopes).toEqual(["email", "account"]);
    expect(token.expiresAt).toBeGreaterThan(Date.now() + 7_000_000_000);
    const exchange = requests[0] as Request;
    expect(exchange.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(exchange.headers.has("authorization")).toBe(false);
    const form = new URLSearchParams(await exchange.text());
    expect(form.get("client_secret")).toBe(server.client.secret);
    expect(form.get("grant_type")).toBe("authorization_code");

    const refreshed = await oauth.refresh("m-1");
    expect(refreshed.refreshToken).not.toBe(token.refreshToken);
    // The old access token died with its refresh token (Open Collective's one-token policy).
    expect(server.accessTokens()).not.toContain(token.accessToken);
    expect(server.accessTokens()).toContain(refreshed.accessToken);

    const stale = new MemoryTokenStore();
    await stale.set(key("m-1"), { ...token, scopes: [...token.scopes] });
    const error = await createOAuthClient(p, { store: stale, timeoutMs: 5000 })
      .refresh("m-1")
      .catch((e) => e);
    expect(error).toBeInstanceOf(ReauthorizationRequiredError);
    expect(await stale.get(key("m-1"))).toBeUndefined();
    assertNoSecrets(error, [server.client.secret, token.refreshToken as string, token.accessToken]);
  });

  it("a wrong client secret is InvalidClientError, and the secret is in no rendering of it", async () => {
    const wrong = "wrong-secret-that-must-not-leak-0123";
    const oauth = createOAuthClient(provider(wrong), { store: new MemoryTokenStore(), timeoutMs: 5000 });
    const error = await connect(oauth, "m-2").catch((e) => e);
    expect(error).toBeInstanceOf(InvalidClientError);
    assertNoSecrets(error, [wrong, server.client.secret]);
  });

  it("has no revoke, introspect or client credentials: the metadata has neither endpoint nor grant", () => {
    const oauth = createOAuthClient(provider(), { store: new MemoryTokenStore() });
    // @ts-expect-error no revocation_endpoint
    expect(oauth.revoke).toBeUndefined();
    // @ts-expect-error no introspection_endpoint
    expect(oauth.introspect).toBeUndefined();
    // @ts-expect-error client_credentials not in grant_types_supported
    expect(oauth.clientCredentials).toBeUndefined();
  });
});

describe("the core's shared-store rules", () => {
  it("two clients over one MemoryTokenStore, 500 callers on an expired token: one refresh, nobody fails", async () => {
    const p = provider();
    const store = new MemoryTokenStore();
    const token = await connect(createOAuthClient(p, { store, timeoutMs: 5000 }), "m-race");
    await store.set(key("m-race"), { ...token, scopes: [...token.scopes], expiresAt: Date.now() - 1000 });
    const clients = [0, 1].map(() => createOAuthClient(p, { store, timeoutMs: 5000 }));
    const before = server.grants.refresh_token ?? 0;
    const failedBefore = server.grants["refresh_token:error"] ?? 0;
    const results = await Promise.allSettled(
      Array.from({ length: 500 }, (_, i) => (clients[i % 2] as (typeof clients)[0]).getToken("m-race")),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect((server.grants.refresh_token ?? 0) - before).toBe(1);
    expect((server.grants["refresh_token:error"] ?? 0) - failedBefore).toBe(0);
    const stored = await store.get(key("m-race"));
    expect(server.accessTokens()).toContain(stored?.accessToken);
  });

  it("two clients over a plain get/set/delete store wrapper still refresh once per process", async () => {
    const p = provider();
    const map = new Map<string, unknown>();
    const plain = {
      get: async (k: string) => map.get(k) as never,
      set: async (k: string, v: unknown) => void map.set(k, structuredClone(v)),
      delete: async (k: string) => void map.delete(k),
    };
    const oauth = createOAuthClient(p, { store: plain, timeoutMs: 5000 });
    const token = await connect(oauth, "m-plain");
    await plain.set(key("m-plain"), { ...token, scopes: [...token.scopes], expiresAt: Date.now() - 1000 });
    const before = server.grants.refresh_token ?? 0;
    await Promise.all(Array.from({ length: 100 }, () => oauth.getToken("m-plain")));
    expect((server.grants.refresh_token ?? 0) - before).toBe(1);
  });

  it("bearerAuth: the API's 401 on a token killed by a peer's rotation refreshes with ifAccessToken", async () => {
    const p = provider();
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(p, { store, timeoutMs: 5000 });
    const token = await connect(oauth, "m-bearer");
    // A peer's rotation killed the access token this record still carries (Open Collective deletes the
    // old pair), while the record's refresh token is the live one: the API answers 401.
    const peerStore = new MemoryTokenStore();
    await peerStore.set(key("m-bearer"), { ...token, scopes: [...token.scopes] });
    const peer = await createOAuthClient(p, { store: peerStore, timeoutMs: 5000 }).refresh("m-bearer");
    await store.set(key("m-bearer"), { ...peer, scopes: [...peer.scopes], accessToken: token.accessToken });
    expect(server.accessTokens()).not.toContain(token.accessToken);
    const before = server.grants.refresh_token ?? 0;
    const api = createClient<{
      "/api/me": { get: { responses: { 200: { content: { "application/json": { id: string } } } } } };
    }>({ baseUrl: server.baseUrl });
    api.use(bearerAuth(oauth, { account: "m-bearer" }));
    const { data, response } = await api.GET("/api/me", { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
    expect(data?.id).toBe("user-4242");
    expect((await store.get(key("m-bearer")))?.accessToken).not.toBe(token.accessToken);
    expect((server.grants.refresh_token ?? 0) - before).toBe(1);
  });
});

function providerOptions() {
  return {
    id: "oc-like",
    clientId: server.client.id,
    clientSecret: server.client.secret,
    redirectUri: server.redirectUri,
    metadata: {
      issuer: server.baseUrl,
      authorization_endpoint: `${server.baseUrl}/oauth/authorize`,
      token_endpoint: `${server.baseUrl}/oauth/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post"],
      grant_types_supported: ["authorization_code", "refresh_token"],
    },
    refreshTokens: "single-use" as const,
  };
}
