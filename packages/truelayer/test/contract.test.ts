import {
  bearerAuth,
  codeChallengeS256,
  createOAuthClient,
  InvalidClientError,
  InvalidGrantError,
  InvalidInputError,
  MemoryTokenStore,
  ProviderError,
  ReauthorizationRequiredError,
  storeKey,
  TokenNotFoundError,
} from "@partner-oauth/core";
import {
  assertNoSecrets,
  ContractViolationError,
  guardedFetch,
  type MockServer,
  startMock,
  violationGuard,
  withPrefer,
} from "@partner-oauth/mocks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrueLayerClient, truelayer } from "../src/index.js";

// Contract tests: every operation of specs/truelayer.yaml, success and each documented error, through
// the real client over HTTP against Prism serving the spec. Any `sl-violations` header fails the call.

const credentials = {
  clientId: "sandbox-myapp-1a2b3c",
  clientSecret: "tl_client_secret_0b1c2d3e:with-colon",
  redirectUri: "https://partner.example/truelayer/callback",
};
const CODE = "aBcD1234efGH";
const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const now = () => NOW;
const dataKey = (account: string) => storeKey({ provider: "truelayer", tokenType: "data", account });

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock("truelayer");
});
afterAll(async () => {
  await mock?.stop();
});

/** Records each request's method and path, then passes it on. */
function counting(base: typeof fetch = fetch) {
  const calls: string[] = [];
  const counted: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    calls.push(`${request.method} ${new URL(request.url).pathname}`);
    return base(request);
  };
  return { fetch: counted, calls };
}

function setup(prefer?: string, store = new MemoryTokenStore(), fetcher?: typeof fetch) {
  const base = fetcher ?? fetch;
  const provider = truelayer({
    ...credentials,
    environment: "sandbox",
    baseUrl: mock.url,
    fetch: prefer ? withPrefer(prefer, base) : base,
    now,
  });
  provider.client.use(violationGuard);
  const oauth = createOAuthClient(provider, { store, timeoutMs: 5000, now });
  return { provider, store, oauth };
}

async function connect(oauth: ReturnType<typeof setup>["oauth"], account = "user-42") {
  const { state, codeVerifier } = await oauth.authorize({
    scopes: ["info", "accounts", "balance", "transactions", "offline_access"],
    providers: ["uk-cs-mock"],
  });
  return oauth.handleCallback(`${credentials.redirectUri}?code=${CODE}&state=${state}`, {
    expectedState: state,
    codeVerifier,
    account,
  });
}

/** A store holding a connected user's data token, built against the default (success) mock. */
async function connectedStore(account = "user-42") {
  const { store, oauth } = setup();
  const token = await connect(oauth, account);
  return { store, token };
}

function expectNoSecrets(error: unknown, ...more: string[]) {
  assertNoSecrets(error, [credentials.clientSecret, CODE, ...more]);
}

describe("authorize (GET / auth link)", () => {
  it("builds a link the spec accepts, with every option and a PKCE S256 challenge", async () => {
    const { oauth } = setup();
    const { url, state, codeVerifier } = await oauth.authorize({
      scopes: ["info", "accounts", "offline_access"],
      providers: ["uk-ob-all", "uk-oauth-all"],
      providerId: "ob-monzo",
      responseMode: "form_post",
      nonce: "n-0S6_WzA2Mj",
      enableMock: true,
    });
    expect(codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const query = url.searchParams;
    expect(query.get("code_challenge")).toBe(await codeChallengeS256(codeVerifier as string));
    expect(query.get("code_challenge_method")).toBe("S256");
    expect(query.get("state")).toBe(state);
    expect(query.get("scope")).toBe("info accounts offline_access");
    expect(url.search).toContain("scope=info%20accounts%20offline_access");
    expect(query.get("providers")).toBe("uk-ob-all uk-oauth-all");
    expect(query.get("provider_id")).toBe("ob-monzo");
    expect(query.get("response_mode")).toBe("form_post");
    expect(query.get("nonce")).toBe("n-0S6_WzA2Mj");
    expect(query.get("enable_mock")).toBe("true");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toContain("code=");
  });

  it("is rejected by the mock when a required parameter is missing (the check is real)", async () => {
    const { oauth } = setup();
    const { url } = await oauth.authorize({ scopes: ["info"] });
    url.searchParams.delete("client_id");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.status).not.toBe(302);
  });

  it("refuses scopes that are not Data API scopes", async () => {
    const { oauth } = setup();
    // @ts-expect-error payments scopes belong to client credentials, not to the auth link
    await expect(oauth.authorize({ scopes: ["payments"] })).rejects.toThrow(InvalidInputError);
    await expect(oauth.authorize({ scopes: [] })).rejects.toThrow(InvalidInputError);
    // @ts-expect-error providers is a list
    await expect(oauth.authorize({ scopes: ["info"], providers: "uk-cs-mock" })).rejects.toThrow(
      InvalidInputError,
    );
  });
});

describe("exchange (POST /connect/token, authorization_code + code_verifier)", () => {
  it("exchanges the code and stores an expiring data token keyed by account", async () => {
    const { oauth, store } = setup();
    const token = await connect(oauth);
    expect(token.accessToken).toMatch(/^eyJ/);
    expect(token.tokenType).toBe("Bearer");
    expect(token.refreshToken).toBe("C1B2A3D4E5F60718293A4B5C6D7E8F90");
    expect(token.expiresAt).toBe(NOW + 3600_000);
    expect(token.scopes).toEqual(["info", "accounts", "balance", "transactions", "offline_access"]);
    expect(token.raw.expires_in).toBe(3600);
    expect((await store.get(dataKey("user-42")))?.accessToken).toBe(token.accessToken);
    expect((await oauth.getToken("user-42")).accessToken).toBe(token.accessToken);
    // The payments slot of the same account is a different slot: empty.
    await expect(oauth.getToken("user-42", { tokenType: "payments" })).rejects.toBeInstanceOf(
      TokenNotFoundError,
    );
  });

  it.each([
    ["code=400, example=invalid_request", ProviderError, "invalid_request", 400, "invalid_request"],
    ["code=400, example=invalid_grant", InvalidGrantError, "invalid_grant", 400, "invalid_grant"],
    ["code=400, example=invalid_grant_refresh", InvalidGrantError, "invalid_grant", 400, "invalid_grant"],
    [
      "code=400, example=unauthorized_client",
      ProviderError,
      "unauthorized_client",
      400,
      "unauthorized_client",
    ],
    [
      "code=400, example=unsupported_grant_type",
      ProviderError,
      "unsupported_grant_type",
      400,
      "unsupported_grant_type",
    ],
    ["code=401, example=invalid_client", InvalidClientError, "invalid_client", 401, "invalid_client"],
    ["code=500, example=internal_server_error", ProviderError, "server_error", 500, "internal_server_error"],
  ])("maps %s to a typed error and stores nothing", async (prefer, type, code, status, providerCode) => {
    const { oauth, store } = setup(prefer);
    const error = await oauth
      .exchange(CODE, { account: "user-42", codeVerifier: VERIFIER })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, status, providerCode, provider: "truelayer", operation: "exchange" });
    expect(store.size).toBe(0);
    expectNoSecrets(error, VERIFIER);
  });
});

describe("refresh (POST /connect/token, refresh_token)", () => {
  it("refreshes and stores the rotated refresh token", async () => {
    const { store, token } = await connectedStore();
    const { oauth } = setup("code=200, example=refresh_token", store);
    const fresh = await oauth.refresh("user-42");
    expect(fresh.accessToken).not.toBe(token.accessToken);
    expect(fresh.refreshToken).toBe("9F8E7D6C5B4A39281706F5E4D3C2B1A0");
    expect(fresh.expiresAt).toBe(NOW + 3600_000);
    expect((await store.get(dataKey("user-42")))?.refreshToken).toBe(fresh.refreshToken);
  });

  it("turns invalid_grant into ReauthorizationRequiredError and removes the grant", async () => {
    const { store, token } = await connectedStore();
    const { oauth } = setup("code=400, example=invalid_grant_refresh", store);
    const error = await oauth.refresh("user-42").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReauthorizationRequiredError);
    expect(error).toMatchObject({ operation: "refresh", account: "user-42" });
    expect((error as Error).cause).toBeInstanceOf(InvalidGrantError);
    expect(await store.get(dataKey("user-42"))).toBeUndefined();
    expectNoSecrets(error, token.accessToken, token.refreshToken as string);
  });

  it("keeps the grant on a server error", async () => {
    const { store, token } = await connectedStore();
    const { oauth } = setup("code=500, example=internal_server_error", store);
    const error = await oauth.refresh("user-42").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 500, code: "server_error", providerCode: "internal_server_error" });
    expect(await store.get(dataKey("user-42"))).toBeDefined();
    expectNoSecrets(error, token.accessToken, token.refreshToken as string);
  });
});

describe("client credentials (POST /connect/token, client_credentials)", () => {
  it("gets a payments app token without a refresh token, then serves it from the cache", async () => {
    const counter = counting();
    const { oauth, store } = setup("code=200, example=client_credentials", undefined, counter.fetch);
    const scopes = ["payments", "recurring_payments:sweeping"] as const;
    const token = await oauth.clientCredentials({ tokenType: "payments", scopes });
    expect(token.refreshToken).toBeUndefined();
    expect(token.scopes).toEqual(["payments", "recurring_payments:sweeping"]);
    expect(token.expiresAt).toBe(NOW + 3600_000);
    const key = storeKey({ provider: "truelayer", tokenType: "payments", account: undefined });
    expect((await store.get(key))?.accessToken).toBe(token.accessToken);
    const again = await oauth.clientCredentials({ tokenType: "payments", scopes: ["payments"] });
    expect(again.accessToken).toBe(token.accessToken);
    expect(counter.calls).toEqual(["POST /connect/token"]);
  });

  it.each([
    ["code=401, example=invalid_client", InvalidClientError, "invalid_client", 401],
    ["code=400, example=unauthorized_client", ProviderError, "unauthorized_client", 400],
  ])("maps %s to a typed error and caches nothing", async (prefer, type, code, status) => {
    const { oauth, store } = setup(prefer);
    const error = await oauth
      .clientCredentials({ tokenType: "payments", scopes: ["payments"] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, status, operation: "client_credentials" });
    expect(store.size).toBe(0);
    expectNoSecrets(error);
  });
});

describe("delete credential (DELETE /api/delete)", () => {
  it("deletes the connection with its bearer token and clears the store", async () => {
    const { store } = await connectedStore();
    const { oauth } = setup(undefined, store);
    await oauth.revoke("user-42");
    expect(store.size).toBe(0);
  });

  it("accepts a 204 without a body as deleted", async () => {
    const { store } = await connectedStore();
    const counter = counting();
    const { oauth } = setup("code=204", store, counter.fetch);
    await oauth.revoke("user-42");
    expect(store.size).toBe(0);
    expect(counter.calls).toEqual(["DELETE /api/delete"]);
  });

  it("treats 401 (already deleted) as deleted", async () => {
    const { store } = await connectedStore();
    const { oauth } = setup("code=401, example=unauthorized", store);
    await expect(oauth.revoke("user-42")).resolves.toBeUndefined();
    expect(store.size).toBe(0);
  });
});

describe("introspect (GET /data/v1/me on the api host)", () => {
  it("summarizes the connection", async () => {
    const { store } = await connectedStore();
    const { oauth } = setup(undefined, store);
    const info = await oauth.introspect("user-42");
    expect(info).toMatchObject({
      active: true,
      credentialsId: "6L7hX2kq9Pz3vN8wR1tYcA==",
      clientId: "sandbox-myapp-1a2b3c",
      providerId: "mock",
      providerName: "Mock Bank",
      consentStatus: "Authorised",
      consentCreatedAt: Date.parse("2026-03-01T10:15:30Z"),
      consentExpiresAt: Date.parse("2026-05-30T10:15:30Z"),
      scopes: ["info", "accounts", "balance", "transactions", "offline_access"],
    });
  });

  it.each([
    ["code=401, example=unauthorized", "invalid_token"],
    ["code=403, example=access_denied", "consent_expired"],
  ])("reports %s as not active", async (prefer, reason) => {
    const { store } = await connectedStore();
    const { oauth } = setup(prefer, store);
    expect(await oauth.introspect("user-42")).toEqual({ active: false, reason });
  });
});

describe("wrong credentials: the mock answers 401 like TrueLayer", () => {
  const calls = [
    ["DELETE", "/api/delete"],
    ["GET", "/data/v1/me"],
  ] as const;

  for (const [method, path] of calls) {
    it.each([
      ["no Authorization", undefined],
      ["Basic client credentials instead of the user token", `Basic ${btoa("id:secret")}`],
    ])(`${method} ${path} with %s: 401 unauthorized`, async (_, authorization) => {
      const response = await fetch(`${mock.url}${path}`, {
        method,
        headers: authorization ? { Authorization: authorization } : {},
        signal: AbortSignal.timeout(5000),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: "unauthorized" });
      const violations = JSON.parse(response.headers.get("sl-violations") ?? "[]") as { code?: unknown }[];
      expect(violations.map((v) => v.code)).toEqual([401]);
    });
  }
});

describe("only the last access token is valid (support article 360004162458)", () => {
  // Two processes over one store. B reads the stored token, then A refreshes before B's call reaches
  // TrueLayer: B's call carries the previous token. TrueLayer's rule is laid over Prism: a request
  // whose bearer is not the newest token the mock's token endpoint issued gets the spec's 401.
  it("a process holding the previous token recovers through bearerAuth without a second refresh", async () => {
    let newest = "";
    const tokenCalls: string[] = [];
    const issuing =
      (prefer?: string): typeof fetch =>
      async (input, init) => {
        const request = new Request(input, init);
        const sent = request.clone();
        const response = await (prefer ? withPrefer(prefer) : fetch)(request);
        if (new URL(request.url).pathname === "/connect/token" && response.ok) {
          const body = (await response.clone().json()) as { access_token: string };
          tokenCalls.push(new URLSearchParams(await sent.text()).get("grant_type") ?? "?");
          newest = body.access_token;
        }
        return response;
      };
    const store = new MemoryTokenStore();
    const connected = await connect(setup(undefined, store, issuing()).oauth);
    expect(newest).toBe(connected.accessToken);
    const a = setup("code=200, example=refresh_token", store, issuing("code=200, example=refresh_token"));
    const b = setup(undefined, store, issuing());

    const dataCalls: string[] = [];
    let peerRefreshed = false;
    const truelayerData: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (!peerRefreshed) {
        peerRefreshed = true;
        await a.oauth.refresh("user-42"); // the peer process, between B's read and B's call
      }
      const bearer = request.headers.get("Authorization") ?? "";
      dataCalls.push(bearer === `Bearer ${newest}` ? "newest" : "previous");
      const stale = bearer !== `Bearer ${newest}`;
      return guardedFetch(stale ? withPrefer("code=401, example=unauthorized") : fetch)(request);
    };
    const api = createTrueLayerClient({ environment: "sandbox", baseUrl: mock.url, fetch: truelayerData });
    api.use(bearerAuth(b.oauth, { account: "user-42", tokenType: "data", fetch: truelayerData }));

    const { data, response } = await api.GET("/data/v1/me", { signal: AbortSignal.timeout(5000) });

    expect(response.status).toBe(200);
    expect(data?.results[0]?.credentials_id).toBe("6L7hX2kq9Pz3vN8wR1tYcA==");
    expect(dataCalls).toEqual(["previous", "newest"]);
    expect(tokenCalls).toEqual(["authorization_code", "refresh_token"]); // B did not refresh again
    expect((await store.get(dataKey("user-42")))?.accessToken).toBe(newest);
    expect(newest).not.toBe(connected.accessToken);
  });

  it("without the peer's new token in the store, the 401 makes B refresh once itself", async () => {
    const store = new MemoryTokenStore();
    const connected = await connect(setup(undefined, store).oauth);
    const counter = counting(withPrefer("code=200, example=refresh_token"));
    const b = setup(undefined, store, counter.fetch);
    const seen: string[] = [];
    const truelayerData: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const bearer = request.headers.get("Authorization") ?? "";
      seen.push(bearer);
      const stale = bearer === `Bearer ${connected.accessToken}`;
      return guardedFetch(stale ? withPrefer("code=401, example=unauthorized") : fetch)(request);
    };
    const api = createTrueLayerClient({ environment: "sandbox", baseUrl: mock.url, fetch: truelayerData });
    api.use(bearerAuth(b.oauth, { account: "user-42", tokenType: "data", fetch: truelayerData }));
    const { response } = await api.GET("/data/v1/me", { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
    expect(counter.calls).toEqual(["POST /connect/token"]);
    expect(seen).toHaveLength(2);
    expect(seen[1]).not.toBe(seen[0]);
  });
});

describe("violation guard", () => {
  it("fails a call the spec does not allow", async () => {
    const { provider } = setup();
    const call = provider.client.POST("/connect/token", {
      // @ts-expect-error deliberately incomplete body
      body: { grant_type: "refresh_token", client_id: credentials.clientId },
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
      signal: AbortSignal.timeout(5000),
    });
    await expect(call).rejects.toBeInstanceOf(ContractViolationError);
  });
});
