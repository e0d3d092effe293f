import {
  bearerAuth,
  createOAuthClient,
  InvalidCallbackError,
  MemoryTokenStore,
  ReauthorizationRequiredError,
  storeKey,
} from "@partner-oauth/core";
import { assertNoSecrets } from "@partner-oauth/mocks";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscoveryError, discoverMetadata, discoverOAuth2, MetadataCache, oauth2 } from "../src/index.js";
import { consent, type OidcServer, startOidcServer } from "./support/oidc-server.js";

// The generic adapter against a real oidc-provider 9 started on loopback: discovery, the code flow
// with PKCE through its login and consent pages, both client-authentication methods, rotating
// refresh tokens, revocation, introspection, client credentials, RFC 9207 `iss`, the shared-store
// rules and the bearer middleware.

let server: OidcServer;
beforeAll(async () => {
  server = await startOidcServer();
});
afterAll(async () => {
  await server?.stop();
});

async function provider(method: "basic" | "post" = "basic") {
  const credentials = server.clients[method];
  return discoverOAuth2({
    id: "oidc",
    issuer: server.issuer,
    clientId: credentials.id,
    clientSecret: credentials.secret,
    clientAuth: method === "basic" ? "client_secret_basic" : "client_secret_post",
    redirectUri: server.redirectUri,
    refreshTokens: "single-use",
    require: ["revoke", "introspect", "clientCredentials"],
    discovery: { cache: false, timeoutMs: 5000 },
  });
}

async function connect(
  oauth: ReturnType<typeof createOAuthClient<Awaited<ReturnType<typeof provider>>>>,
  account = "m-1",
) {
  const { url, state, codeVerifier } = await oauth.authorize({
    scopes: ["openid", "offline_access"],
    params: { prompt: "consent" },
  });
  const callback = await consent(url, server.redirectUri);
  return {
    token: await oauth.handleCallback(callback, { expectedState: state, codeVerifier, account }),
    url,
    callback,
  };
}

const secrets = () => [server.clients.basic.secret, server.clients.post.secret];

describe("discovery", () => {
  it("falls back from RFC 8414 (404 here) to the OpenID configuration and reads the capabilities", async () => {
    const metadata = await discoverMetadata(server.issuer, { cache: false, timeoutMs: 5000 });
    expect(metadata.issuer).toBe(server.issuer);
    expect(metadata.code_challenge_methods_supported).toContain("S256");
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    const p = await provider();
    expect(p.pkce).toBe("S256");
    expect(p.issuer).toBe(server.issuer);
    expect(p.authorizationResponseIssParameterSupported).toBe(true);
    expect(p.clientAuth).toBe("client_secret_basic");
  });

  it("refuses a document naming another issuer (a trailing slash is another issuer)", async () => {
    const error = await discoverMetadata(`${server.issuer}/`, { cache: false, timeoutMs: 5000 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error.reason).toBe("issuer_mismatch");
  });

  it("caches a document per issuer and shares one fetch between concurrent discoveries", async () => {
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const cache = new MetadataCache();
    const [a, b] = await Promise.all([
      discoverMetadata(server.issuer, { cache, fetch: counting, document: "openid-configuration" }),
      discoverMetadata(server.issuer, { cache, fetch: counting, document: "openid-configuration" }),
    ]);
    await discoverMetadata(server.issuer, { cache, fetch: counting, document: "openid-configuration" });
    expect(a).toBe(b);
    expect(requests).toBe(1);
  });

  it("a discovered adapter has exactly the capabilities required, though the server offers more", async () => {
    const p = await discoverOAuth2({
      id: "oidc",
      issuer: server.issuer,
      clientId: server.clients.basic.id,
      clientSecret: server.clients.basic.secret,
      redirectUri: server.redirectUri,
      require: ["introspect"],
      discovery: { cache: false },
    });
    const oauth = createOAuthClient(p, { store: new MemoryTokenStore() });
    expect(typeof oauth.introspect).toBe("function");
    expect(typeof oauth.refresh).toBe("function");
    // @ts-expect-error revoke was not required: not in the type, and not there at run time
    expect(oauth.revoke).toBeUndefined();
    expect("clientCredentials" in oauth).toBe(false);
  });

  it("fails with missing_capability when a required endpoint is absent", async () => {
    const metadata = await discoverMetadata(server.issuer, { cache: false });
    const { revocation_endpoint: _, ...withoutRevocation } = metadata;
    const served: typeof fetch = async () => Response.json(withoutRevocation);
    const error = await discoverOAuth2({
      id: "oidc",
      issuer: server.issuer,
      clientId: "x",
      redirectUri: server.redirectUri,
      require: ["revoke"],
      fetch: served,
      discovery: { cache: false },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error.reason).toBe("missing_capability");
  });
});

describe.each(["basic", "post"] as const)("the lifecycle with client_secret_%s", (method) => {
  it("code flow with PKCE through login and consent, refresh with rotation, introspection, revocation", async () => {
    const p = await provider(method);
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(p, { store, timeoutMs: 5000 });
    const { token, url, callback } = await connect(oauth);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(new URL(callback).searchParams.get("iss")).toBe(server.issuer);
    expect(token.refreshToken).toBeTruthy();
    expect(token.tokenType).toBe("Bearer");
    expect(token.expiresAt).toBeGreaterThan(Date.now());

    const introspected = await oauth.introspect("m-1");
    expect(introspected).toMatchObject({ active: true, client_id: server.clients[method].id });

    // Rotation: a new refresh token each time; the old one is dead (oidc-provider revokes the grant
    // on reuse, so the reuse is tried on a copy, last).
    const refreshed = await oauth.refresh("m-1");
    expect(refreshed.refreshToken).toBeTruthy();
    expect(refreshed.refreshToken).not.toBe(token.refreshToken);
    expect(refreshed.accessToken).not.toBe(token.accessToken);

    await oauth.revoke("m-1");
    expect(
      await store.get(storeKey({ provider: "oidc", tokenType: "default", account: "m-1" })),
    ).toBeUndefined();
    const other = new MemoryTokenStore();
    await other.set(storeKey({ provider: "oidc", tokenType: "default", account: "m-1" }), {
      ...refreshed,
      scopes: [...refreshed.scopes],
    });
    const after = createOAuthClient(p, { store: other, timeoutMs: 5000 });
    expect(await after.introspect("m-1")).toEqual({ active: false });
    const dead = await after.refresh("m-1").catch((e) => e);
    expect(dead).toBeInstanceOf(ReauthorizationRequiredError);
    assertNoSecrets(dead, [...secrets(), refreshed.refreshToken as string, refreshed.accessToken]);
  });

  it("a reused (rotated-away) refresh token is a dead grant: ReauthorizationRequiredError", async () => {
    const p = await provider(method);
    const oauth = createOAuthClient(p, { store: new MemoryTokenStore(), timeoutMs: 5000 });
    const { token } = await connect(oauth);
    await oauth.refresh("m-1");
    const stale = new MemoryTokenStore();
    await stale.set(storeKey({ provider: "oidc", tokenType: "default", account: "m-1" }), {
      ...token,
      scopes: [...token.scopes],
    });
    const error = await createOAuthClient(p, { store: stale, timeoutMs: 5000 })
      .refresh("m-1")
      .catch((e) => e);
    expect(error).toBeInstanceOf(ReauthorizationRequiredError);
    assertNoSecrets(error, [...secrets(), token.refreshToken as string]);
  });

  it("client credentials: an app token, fetched once and then served from the store", async () => {
    const p = await provider(method);
    const oauth = createOAuthClient(p, { store: new MemoryTokenStore(), timeoutMs: 5000 });
    const before = server.grants.client_credentials ?? 0;
    const app = await oauth.clientCredentials({ tokenType: "app", scopes: ["api:read"] });
    expect(app.accessToken).toBeTruthy();
    expect(app.refreshToken).toBeUndefined();
    expect((await oauth.clientCredentials({ tokenType: "app", scopes: ["api:read"] })).accessToken).toBe(
      app.accessToken,
    );
    expect((server.grants.client_credentials ?? 0) - before).toBe(1);
  });
});

describe("RFC 9207: the callback's iss", () => {
  it("refuses a callback whose iss names another server, or has none, before any token request", async () => {
    const p = await provider();
    const oauth = createOAuthClient(p, { store: new MemoryTokenStore(), timeoutMs: 5000 });
    const { url, state, codeVerifier } = await oauth.authorize({
      scopes: ["openid"],
      params: { prompt: "consent" },
    });
    const callback = new URL(await consent(url, server.redirectUri));
    const before = { ...server.grants };
    const forged = new URL(callback);
    forged.searchParams.set("iss", "https://attacker.partner.example");
    const missing = new URL(callback);
    missing.searchParams.delete("iss");
    for (const bad of [forged, missing]) {
      const error = await oauth
        .handleCallback(bad, { expectedState: state, codeVerifier, account: "m-iss" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidCallbackError);
      assertNoSecrets(error, [...secrets(), callback.searchParams.get("code") as string]);
    }
    expect(server.grants).toEqual(before);
    // The genuine callback still works: the code was never sent anywhere.
    await oauth.handleCallback(callback, { expectedState: state, codeVerifier, account: "m-iss" });
    expect(server.grants.authorization_code).toBe((before.authorization_code ?? 0) + 1);
  });
});

describe("the core's shared-store rules through a real server", () => {
  it("two clients over one MemoryTokenStore, 200 callers on an expired token: exactly one refresh", async () => {
    const p = await provider();
    const store = new MemoryTokenStore();
    const { token } = await connect(createOAuthClient(p, { store, timeoutMs: 5000 }), "m-race");
    // The stored token expired a second ago (as an hour later would make it).
    const key = storeKey({ provider: "oidc", tokenType: "default", account: "m-race" });
    await store.set(key, { ...token, scopes: [...token.scopes], expiresAt: Date.now() - 1000 });
    const clients = [0, 1].map(() => createOAuthClient(p, { store, timeoutMs: 5000 }));
    const before = server.grants.refresh_token ?? 0;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (clients[i % 2] as (typeof clients)[0]).getToken("m-race")),
    );
    expect((server.grants.refresh_token ?? 0) - before).toBe(1);
    expect(new Set(results.map((t) => t.accessToken)).size).toBe(1);
    expect(results[0]?.accessToken).not.toBe(token.accessToken);
    expect(
      (await store.get(storeKey({ provider: "oidc", tokenType: "default", account: "m-race" })))
        ?.refreshToken,
    ).toBe(results[0]?.refreshToken);
  });

  it("sweep: a grant due before its refresh token's lifetime runs out is refreshed (rotated) at the server", async () => {
    const day = 86_400_000;
    const p = await discoverOAuth2({
      id: "oidc",
      issuer: server.issuer,
      clientId: server.clients.basic.id,
      clientSecret: server.clients.basic.secret,
      redirectUri: server.redirectUri,
      refreshTokenLifetimeMs: 14 * day,
      require: ["revoke", "introspect", "clientCredentials"],
      discovery: { cache: false, timeoutMs: 5000 },
    });
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(p, { store, timeoutMs: 5000 });
    const { token } = await connect(oauth, "m-sweep");
    const key = storeKey({ provider: "oidc", tokenType: "default", account: "m-sweep" });
    const due = (await store.get(key))?.refreshDueAt as number;
    expect(due - Date.now()).toBeGreaterThan(10.4 * day);
    expect(due - Date.now()).toBeLessThanOrEqual(10.5 * day);
    expect((await oauth.sweep()).refreshed).toEqual([]);
    const before = server.grants.refresh_token ?? 0;
    const report = await oauth.sweep({ before: due });
    expect(report.refreshed.map((g) => g.account)).toEqual(["m-sweep"]);
    expect((server.grants.refresh_token ?? 0) - before).toBe(1);
    const swept = await store.get(key);
    expect(swept?.refreshToken).not.toBe(token.refreshToken);
    expect(swept?.refreshDueAt).toBeGreaterThan(due);
  });

  it("bearerAuth: a 401 from the userinfo endpoint refreshes once and replays the request", async () => {
    const p = await provider();
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(p, { store, timeoutMs: 5000 });
    const { token } = await connect(oauth, "m-bearer");
    // The stored access token is one the server no longer knows (killed elsewhere: revoking it at
    // oidc-provider would revoke the whole grant); the refresh token still lives.
    const key = storeKey({ provider: "oidc", tokenType: "default", account: "m-bearer" });
    await store.set(key, { ...token, scopes: [...token.scopes], accessToken: "killed-elsewhere-0123456789" });
    const api = createClient<{
      "/me": { get: { responses: { 200: { content: { "application/json": { sub: string } } } } } };
    }>({ baseUrl: server.issuer });
    api.use(bearerAuth(oauth, { account: "m-bearer" }));
    const before = server.grants.refresh_token ?? 0;
    const { data, response } = await api.GET("/me", { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
    expect(data?.sub).toBe("merchant-42");
    expect((server.grants.refresh_token ?? 0) - before).toBe(1);
    expect((await store.get(key))?.accessToken).not.toBe("killed-elsewhere-0123456789");
  });
});

describe("types follow the metadata", () => {
  it("static metadata without revocation or introspection has neither, at compile time and run time", () => {
    const options = {
      id: "static",
      clientId: "c",
      clientSecret: "s",
      redirectUri: "https://partner.example/cb",
      metadata: {
        issuer: "https://auth.partner.example",
        authorization_endpoint: "https://auth.partner.example/authorize",
        token_endpoint: "https://auth.partner.example/token",
      },
    };
    const p = oauth2(options);
    const oauth = createOAuthClient(p, { store: new MemoryTokenStore() });
    // @ts-expect-error no revocation_endpoint in the metadata: no revoke
    expect(oauth.revoke).toBeUndefined();
    // @ts-expect-error no introspection_endpoint: no introspect
    expect(oauth.introspect).toBeUndefined();
    // @ts-expect-error client_credentials is not in grant_types_supported
    expect(oauth.clientCredentials).toBeUndefined();
    expect(typeof oauth.refresh).toBe("function");
    const none = createOAuthClient(oauth2({ ...options, refreshTokens: "none" }), {
      store: new MemoryTokenStore(),
    });
    // @ts-expect-error refreshTokens "none": no refresh
    expect(none.refresh).toBeUndefined();
  });
});
