import {
  createOAuthClient,
  InvalidClientError,
  InvalidGrantError,
  InvalidInputError,
  MemoryTokenStore,
  ProviderError,
  storeKey,
} from "@partner-oauth/core";
import {
  assertNoSecrets,
  ContractViolationError,
  type MockServer,
  startMock,
  violationGuard,
  withPrefer,
} from "@partner-oauth/mocks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gocardless } from "../src/index.js";

// Contract tests: every operation of specs/gocardless.yaml, success and each documented error, through
// the real client over HTTP against Prism serving the spec. Any `sl-violations` header fails the call.

const credentials = {
  clientId: "app_client_id_123",
  clientSecret: "app_client_secret_456:with-colon",
  redirectUri: "https://partner.example/gc/callback",
};

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock("gocardless");
});
afterAll(async () => {
  await mock?.stop();
});

function setup(prefer?: string) {
  const provider = gocardless({
    ...credentials,
    environment: "sandbox",
    baseUrl: mock.url,
    ...(prefer ? { fetch: withPrefer(prefer) } : {}),
  });
  provider.client.use(violationGuard);
  const store = new MemoryTokenStore();
  const oauth = createOAuthClient(provider, { store, timeoutMs: 5000 });
  return { provider, store, oauth };
}

async function connect(oauth: ReturnType<typeof setup>["oauth"], account = "merchant-42") {
  const { state } = await oauth.authorize({ scopes: ["read_write"] });
  return oauth.handleCallback(`${credentials.redirectUri}?code=aBcD1234efGH&state=${state}`, {
    expectedState: state,
    account,
  });
}

function expectNoSecrets(error: unknown) {
  assertNoSecrets(error, [credentials.clientSecret, "aBcD1234efGH"]);
}

describe("authorize (GET /oauth/authorize)", () => {
  it("builds a URL the spec accepts, with every option", async () => {
    const { oauth } = setup();
    const { url, state, codeVerifier } = await oauth.authorize({
      scopes: ["read_only"],
      initialView: "signup",
      prefill: { email: "owner@shop.example", given_name: "Ada", family_name: "", country_code: "GB" },
      language: "en",
    });
    expect(codeVerifier).toBeUndefined();
    expect(url.searchParams.get("state")).toBe(state);
    expect(url.searchParams.get("prefill[email]")).toBe("owner@shop.example");
    expect(url.searchParams.has("prefill[family_name]")).toBe(false);
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toContain("code=");
  });

  it("is rejected by the mock when a required parameter is missing (the check is real)", async () => {
    const { oauth } = setup();
    const { url } = await oauth.authorize({ scopes: ["read_write"] });
    url.searchParams.delete("client_id");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.status).not.toBe(302);
  });

  it("refuses anything but exactly one known scope", async () => {
    const { oauth } = setup();
    // @ts-expect-error GoCardless grants one scope of two
    await expect(oauth.authorize({ scopes: ["admin"] })).rejects.toThrow(InvalidInputError);
  });
});

describe("exchange (POST /oauth/access_token)", () => {
  it("exchanges the code and stores a normalized, non-expiring token keyed by account", async () => {
    const { oauth, store } = setup();
    const token = await connect(oauth);
    expect(token.accessToken).toBe("sandbox_Xq7pLr2n4TkVw9ZsYb3Hc");
    expect(token.subject).toBe("OR000123ABC");
    expect(token.scopes).toEqual(["read_write"]);
    expect(token.expiresAt).toBeUndefined();
    expect(token.refreshToken).toBeUndefined();
    expect(token.raw.email).toBe("owner@shop.example");
    const key = storeKey({ provider: "gocardless", tokenType: "default", account: "merchant-42" });
    expect((await store.get(key))?.accessToken).toBe(token.accessToken);
    expect((await oauth.getToken("merchant-42")).accessToken).toBe(token.accessToken);
  });

  it.each([
    ["code=400, example=invalid_grant", InvalidGrantError, "invalid_grant", 400],
    ["code=400, example=invalid_request", ProviderError, "invalid_request", 400],
    ["code=400, example=unsupported_grant_type", ProviderError, "unsupported_grant_type", 400],
    ["code=401, example=invalid_client", InvalidClientError, "invalid_client", 401],
  ])("maps %s to a typed error and stores nothing", async (prefer, type, code, status) => {
    const { oauth, store } = setup(prefer);
    const error = await connect(oauth).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, status, provider: "gocardless", operation: "exchange" });
    expect(store.size).toBe(0);
    expectNoSecrets(error);
  });
});

describe("revoke (POST /oauth/revoke)", () => {
  it("revokes at GoCardless and deletes the stored token", async () => {
    const { oauth, store } = setup();
    await connect(oauth);
    await oauth.revoke("merchant-42");
    expect(store.size).toBe(0);
  });

  it.each([
    ["code=400, example=invalid_request", "invalid_request", 400],
    ["code=401, example=invalid_client", "invalid_client", 401],
  ])("keeps the token when revoke fails with %s", async (prefer, code, status) => {
    const failing = setup(prefer);
    const token = await connect(setup().oauth);
    // Same store content, failing server.
    const key = storeKey({ provider: "gocardless", tokenType: "default", account: "merchant-42" });
    await failing.store.set(key, { ...token, scopes: [...token.scopes] });
    const error = await failing.oauth.revoke("merchant-42").catch((e: unknown) => e);
    expect(error).toMatchObject({ code, status, operation: "revoke" });
    expect(await failing.store.get(key)).toBeDefined();
    expectNoSecrets(error);
  });
});

describe("introspect (GET /creditors probe on the api host)", () => {
  it("reports a live token with its creditor", async () => {
    const { oauth } = setup();
    await connect(oauth);
    const info = await oauth.introspect("merchant-42");
    expect(info).toMatchObject({
      active: true,
      organisationId: "OR000123ABC",
      creditor: { id: "CR000123ABC" },
    });
  });

  it.each([
    ["access_token_not_found", "access_token_not_found"],
    ["access_token_revoked", "access_token_revoked"],
    ["access_token_not_active", "access_token_not_active"],
    ["string_error", "access_token_not_active"],
  ])("reports a 401 (example %s) as inactive with its reason", async (example, reason) => {
    const live = setup();
    const token = await connect(live.oauth);
    const dead = setup(`code=401, example=${example}`);
    await dead.store.set(storeKey({ provider: "gocardless", tokenType: "default", account: "m" }), {
      ...token,
      scopes: [],
    });
    expect(await dead.oauth.introspect("m")).toEqual({
      active: false,
      organisationId: "OR000123ABC",
      creditor: undefined,
      reason,
    });
  });

  it("maps 403 insufficient_permissions to a typed error", async () => {
    const live = setup();
    const token = await connect(live.oauth);
    const forbidden = setup("code=403, example=insufficient_permissions");
    await forbidden.store.set(storeKey({ provider: "gocardless", tokenType: "default", account: "m" }), {
      ...token,
      scopes: [],
    });
    const error = await forbidden.oauth.introspect("m").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      status: 403,
      code: "insufficient_scope",
      providerCode: "insufficient_permissions",
    });
  });

  it("maps 429 rate_limit_exceeded to temporarily_unavailable and keeps the token", async () => {
    const live = setup();
    const token = await connect(live.oauth);
    const limited = setup("code=429, example=rate_limit_exceeded");
    const slot = storeKey({ provider: "gocardless", tokenType: "default", account: "m" });
    await limited.store.set(slot, { ...token, scopes: [] });
    const error = await limited.oauth.introspect("m").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      status: 429,
      code: "temporarily_unavailable",
      providerCode: "rate_limit_exceeded",
    });
    expect(await limited.store.get(slot)).toBeDefined();
  });
});

describe("what the mock accepts and refuses like GoCardless", () => {
  const form = {
    grant_type: "authorization_code",
    code: "aBcD1234efGH",
    redirect_uri: credentials.redirectUri,
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
  };

  it("accepts the token exchange as JSON, as several working integrations send it", async () => {
    const response = await fetch(`${mock.url}/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(form),
      signal: AbortSignal.timeout(5000),
    });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ organisation_id: "OR000123ABC" });
  });

  it.each([
    ["no Authorization", undefined],
    ["Basic client credentials instead of the merchant token", `Basic ${btoa("app:secret")}`],
  ])("answers the creditor probe with %s with 401 access_token_not_found", async (_, authorization) => {
    const headers = new Headers({ "GoCardless-Version": "2015-07-06", Accept: "application/json" });
    if (authorization) headers.set("Authorization", authorization);
    const response = await fetch(`${mock.url}/creditors?limit=1`, {
      headers,
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: { code: 401, errors: [{ reason: "access_token_not_found" }] },
    });
    const violations = JSON.parse(response.headers.get("sl-violations") ?? "[]") as { code?: unknown }[];
    expect(violations.map((v) => v.code)).toEqual([401]);
  });

  it("answers the creditor probe with a Bearer token with 200", async () => {
    const response = await fetch(`${mock.url}/creditors?limit=1`, {
      headers: { Authorization: "Bearer sandbox_token", "GoCardless-Version": "2015-07-06" },
      signal: AbortSignal.timeout(5000),
    });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(200);
  });
});

describe("violation guard", () => {
  it("fails a call the spec does not allow", async () => {
    const { provider } = setup();
    const call = provider.client.POST("/oauth/access_token", {
      // @ts-expect-error deliberately incomplete body
      body: { grant_type: "authorization_code" },
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
      signal: AbortSignal.timeout(5000),
    });
    await expect(call).rejects.toBeInstanceOf(ContractViolationError);
  });
});
