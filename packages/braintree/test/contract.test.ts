import {
  createOAuthClient,
  InvalidCallbackError,
  InvalidClientError,
  InvalidGrantError,
  InvalidInputError,
  MemoryTokenStore,
  ProviderError,
  ReauthorizationRequiredError,
  type RefreshErrorEvent,
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
import { braintree } from "../src/index.js";

// Contract tests: every operation of specs/braintree.yaml, success and each documented error, through
// the real client over HTTP against Prism serving the spec. Any `sl-violations` header fails the call.

const credentials = {
  clientId: "client_id$sandbox$9m3k7x2p5q8r4t6w",
  clientSecret: "client_secret$sandbox$a1b2c3d4e5f6a7b8c9d0e1f2",
  redirectUri: "https://partner.example/braintree/callback",
  environment: "sandbox",
} as const;

const CODE = "aBcD1234efGH5678";
const MERCHANT = "g8cnjbnz83htzgm4"; // the merchant of the spec's example tokens and redirect
// The spec's example tokens: from the code, then rotated by a refresh.
const ACCESS_1 = "access_token$sandbox$g8cnjbnz83htzgm4$4f1c2d3e5a6b7c8d9e0f";
const REFRESH_1 = "refresh_token$sandbox$g8cnjbnz83htzgm4$c0ffee12ab34cd56ef78";
const ACCESS_2 = "access_token$sandbox$g8cnjbnz83htzgm4$7a6b5c4d3e2f1a0b9c8d";
const REFRESH_2 = "refresh_token$sandbox$g8cnjbnz83htzgm4$deadbeef0123456789ab";
// The examples' tokens expire on 2036-05-02 and 2036-05-03: run the client's clock before that.
const NOW = Date.parse("2036-05-01T12:00:00Z");
const KEY = storeKey({ provider: "braintree", tokenType: "default", account: "merchant-42" });

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock("braintree");
});
afterAll(async () => {
  await mock?.stop();
});

function setup(prefer?: string, store = new MemoryTokenStore(), now = NOW) {
  const provider = braintree({
    ...credentials,
    baseUrl: mock.url,
    ...(prefer ? { fetch: withPrefer(prefer) } : {}),
  });
  provider.client.use(violationGuard);
  const refreshErrors: RefreshErrorEvent[] = [];
  const oauth = createOAuthClient(provider, {
    store,
    timeoutMs: 5000,
    now: () => now,
    onRefreshError: (event) => {
      refreshErrors.push(event);
    },
  });
  return { provider, store, oauth, refreshErrors };
}

async function connect(oauth: ReturnType<typeof setup>["oauth"], merchantId: string | null = MERCHANT) {
  const { state } = await oauth.authorize({ scopes: ["read_write"] });
  const callback = new URL(credentials.redirectUri);
  callback.searchParams.set("state", state);
  if (merchantId !== null) callback.searchParams.set("merchantId", merchantId);
  callback.searchParams.set("code", CODE);
  return oauth.handleCallback(callback, { expectedState: state, account: "merchant-42" });
}

/** A store already holding the token the code exchange gives. */
async function connectedStore() {
  const { store, oauth } = setup();
  await connect(oauth);
  return store;
}

function expectNoSecrets(error: unknown) {
  assertNoSecrets(error, [credentials.clientSecret, CODE, ACCESS_1, REFRESH_1, ACCESS_2, REFRESH_2]);
}

describe("connect URL (GET /oauth/connect)", () => {
  it("builds a URL the spec accepts, with every option, encoded as the SDK does", async () => {
    const { oauth } = setup();
    const { url, state, codeVerifier } = await oauth.authorize({
      scopes: ["read_write", "shared_vault_transactions"],
      landingPage: "signup",
      loginOnly: false,
      user: { email: "owner@shop.example", first_name: "Ada", last_name: "", dob_year: "1970" },
      business: { name: "Shop (Example)!", fulfillment_completed_in: "7", currency: "USD" },
      paymentMethods: ["credit_card", "paypal"],
    });
    expect(codeVerifier).toBeUndefined();
    expect(url.origin + url.pathname).toBe(`${mock.url}/oauth/connect`);
    expect(url.searchParams.get("state")).toBe(state);
    expect(url.searchParams.get("client_id")).toBe(credentials.clientId);
    expect(url.searchParams.get("scope")).toBe("read_write,shared_vault_transactions");
    expect(url.searchParams.getAll("payment_methods[]")).toEqual(["credit_card", "paypal"]);
    expect(url.searchParams.get("login_only")).toBe("false");
    expect(url.searchParams.has("user[last_name]")).toBe(false);
    expect(url.search).toContain("scope=read_write%2Cshared_vault_transactions");
    expect(url.search).toContain("business%5Bname%5D=Shop%20%28Example%29%21");
    expect(url.search).toContain("client_id=client_id%24sandbox%24");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("code")).toBeTruthy();
    expect(location.searchParams.get("merchantId")).toBe(MERCHANT);
  });

  it("sends merchantId as merchant_id, after client_id as the SDK does", async () => {
    const { oauth } = setup();
    const { url } = await oauth.authorize({ scopes: ["read_write"], merchantId: "integration_merchant_id" });
    expect(url.searchParams.get("merchant_id")).toBe("integration_merchant_id");
    expect([...url.searchParams.keys()].slice(0, 3)).toEqual(["client_id", "merchant_id", "redirect_uri"]);
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
  });

  it("refuses a merchantId that is not a Braintree ID, and leaves it out when absent", async () => {
    const { oauth } = setup();
    await expect(oauth.authorize({ scopes: ["read_write"], merchantId: "a&b" })).rejects.toThrow(TypeError);
    await expect(oauth.authorize({ scopes: ["read_write"], merchantId: "" })).rejects.toThrow(TypeError);
    const { url } = await oauth.authorize({ scopes: ["read_write"] });
    expect(url.searchParams.has("merchant_id")).toBe(false);
  });

  it("builds the minimal URL the spec accepts, with a resource scope", async () => {
    const { oauth } = setup();
    const { url } = await oauth.authorize({ scopes: ["read_only", "customer:create"] });
    expect(url.searchParams.get("scope")).toBe("read_only,customer:create");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
  });

  it("is rejected by the mock when a required parameter is missing (the check is real)", async () => {
    const { oauth } = setup();
    const { url } = await oauth.authorize({ scopes: ["read_write"] });
    url.searchParams.delete("client_id");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.status).not.toBe(302);
  });

  it("refuses an empty or unknown scope list", async () => {
    const { oauth } = setup();
    // @ts-expect-error at least one scope
    await expect(oauth.authorize({ scopes: [] })).rejects.toThrow(InvalidInputError);
    // @ts-expect-error not a Braintree scope
    await expect(oauth.authorize({ scopes: ["admin"] })).rejects.toThrow(InvalidInputError);
    await expect(oauth.authorize({ scopes: ["read_write", "a,b:c"] })).rejects.toThrow(InvalidInputError);
  });
});

describe("token from code (POST /oauth/access_tokens, grant_type=authorization_code)", () => {
  it("exchanges the code and stores a normalized token for the merchant", async () => {
    const { oauth, store } = setup();
    const token = await connect(oauth);
    expect(token).toMatchObject({
      accessToken: ACCESS_1,
      refreshToken: REFRESH_1,
      tokenType: "bearer",
      expiresAt: Date.parse("2036-05-02T10:15:30Z"),
      scopes: ["read_write"],
      subject: MERCHANT,
    });
    // Braintree does not say when the refresh token dies (180 days after creation, per its docs).
    expect(token.refreshTokenExpiresAt).toBeUndefined();
    expect(token.raw).toEqual({
      accessToken: ACCESS_1,
      refreshToken: REFRESH_1,
      expiresAt: "2036-05-02T10:15:30Z",
      tokenType: "bearer",
      scope: "read_write",
    });
    expect((await store.get(KEY))?.accessToken).toBe(ACCESS_1);
    expect((await oauth.getToken("merchant-42")).accessToken).toBe(ACCESS_1);
  });

  it("accepts the 201 the spec also documents", async () => {
    const { oauth } = setup("code=201");
    expect((await connect(oauth)).accessToken).toBe(ACCESS_1);
  });

  it("takes the merchant from the token when the callback has no merchantId", async () => {
    const { oauth } = setup();
    expect((await connect(oauth, null)).subject).toBe(MERCHANT);
  });

  it("refuses a callback whose merchantId names another merchant, storing nothing", async () => {
    const { oauth, store } = setup();
    const error = await connect(oauth, "someoneelse").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidCallbackError);
    expect(store.size).toBe(0);
    expectNoSecrets(error);
  });

  it.each([
    ["code=422, example=invalid_grant", InvalidGrantError, "invalid_grant", "93801", 422],
    ["code=422, example=invalid_credentials", InvalidClientError, "invalid_client", "93802", 422],
    ["code=422, example=invalid_scope", ProviderError, "invalid_scope", "93803", 422],
    ["code=422, example=invalid_request", ProviderError, "invalid_request", "93804", 422],
    ["code=422, example=unsupported_grant_type", ProviderError, "unsupported_grant_type", "93805", 422],
    ["code=401", InvalidClientError, "invalid_client", undefined, 401],
    ["code=403", ProviderError, undefined, undefined, 403],
    ["code=404", ProviderError, undefined, undefined, 404],
    ["code=408", ProviderError, undefined, undefined, 408],
    ["code=426", ProviderError, undefined, undefined, 426],
    ["code=429", ProviderError, undefined, undefined, 429],
    ["code=500", ProviderError, "server_error", undefined, 500],
    ["code=503", ProviderError, "server_error", undefined, 503],
    ["code=504", ProviderError, "server_error", undefined, 504],
  ])("maps %s to a typed error and stores nothing", async (prefer, type, code, providerCode, status) => {
    const { oauth, store } = setup(prefer);
    const error = await connect(oauth).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, providerCode, status, provider: "braintree", operation: "exchange" });
    expect(store.size).toBe(0);
    expectNoSecrets(error);
  });

  it("keeps Braintree's message as the description", async () => {
    const { oauth } = setup("code=422, example=invalid_grant");
    const error = await connect(oauth).catch((e: unknown) => e);
    expect(error).toMatchObject({ description: "Invalid grant: code not found" });
  });

  it("maps the empty-body 401 (wrong client credentials) to InvalidClientError", async () => {
    const { oauth, provider } = setup("code=401");
    const seen: { status: number; body: string }[] = [];
    provider.client.use({
      async onResponse({ response }) {
        seen.push({ status: response.status, body: await response.clone().text() });
        return undefined;
      },
    });
    const error = await connect(oauth).catch((e: unknown) => e);
    expect(seen).toEqual([{ status: 401, body: "" }]);
    expect(error).toBeInstanceOf(InvalidClientError);
    expect(error).toMatchObject({ status: 401, code: "invalid_client", operation: "exchange" });
    expectNoSecrets(error);
  });
});

describe("token from refresh token (POST /oauth/access_tokens, grant_type=refresh_token)", () => {
  it("rotates both tokens and stores the new refresh token", async () => {
    const { oauth, store } = setup("example=refresh_token", await connectedStore());
    const token = await oauth.refresh("merchant-42");
    expect(token).toMatchObject({
      accessToken: ACCESS_2,
      refreshToken: REFRESH_2,
      expiresAt: Date.parse("2036-05-03T09:00:00Z"),
      scopes: ["read_write"],
      subject: MERCHANT,
    });
    expect(await store.get(KEY)).toMatchObject({ accessToken: ACCESS_2, refreshToken: REFRESH_2 });
  });

  it("refreshes on getToken once the access token expired", async () => {
    const later = Date.parse("2036-05-02T10:15:00Z"); // within the 60 s skew
    const { oauth } = setup("example=refresh_token", await connectedStore(), later);
    expect((await oauth.getToken("merchant-42")).accessToken).toBe(ACCESS_2);
  });

  it.each(["code=422, example=invalid_grant_refresh_token", "code=422, example=invalid_grant"])(
    "drops the grant and asks for reauthorization on %s",
    async (prefer) => {
      const { oauth, store, refreshErrors } = setup(prefer, await connectedStore());
      const error = await oauth.refresh("merchant-42").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReauthorizationRequiredError);
      expect(error).toMatchObject({ account: "merchant-42", operation: "refresh", provider: "braintree" });
      expect((error as Error).cause).toBeInstanceOf(InvalidGrantError);
      expect((error as Error).cause).toMatchObject({ providerCode: "93801", status: 422 });
      expect(store.size).toBe(0);
      expect(refreshErrors).toHaveLength(1);
      expect(refreshErrors[0]?.grantRemoved).toBe(true);
      expectNoSecrets(error);
      expectNoSecrets((error as Error).cause);
    },
  );

  it.each([
    ["code=422, example=invalid_credentials", InvalidClientError, "invalid_client", 422],
    ["code=422, example=invalid_scope", ProviderError, "invalid_scope", 422],
    ["code=422, example=invalid_request", ProviderError, "invalid_request", 422],
    ["code=401", InvalidClientError, "invalid_client", 401],
    ["code=429", ProviderError, undefined, 429],
    ["code=503", ProviderError, "server_error", 503],
  ])("keeps the grant when refresh fails with %s", async (prefer, type, code, status) => {
    const { oauth, store, refreshErrors } = setup(prefer, await connectedStore());
    const error = await oauth.refresh("merchant-42").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).not.toBeInstanceOf(InvalidGrantError);
    expect(error).toMatchObject({ code, status, operation: "refresh" });
    expect(await store.get(KEY)).toMatchObject({ refreshToken: REFRESH_1 });
    expect(refreshErrors[0]?.grantRemoved).toBe(false);
    expectNoSecrets(error);
  });
});

describe("revoke (POST /oauth/revoke_access_token)", () => {
  it("revokes at Braintree and deletes the stored token", async () => {
    const { oauth, store } = setup(undefined, await connectedStore());
    await oauth.revoke("merchant-42");
    expect(store.size).toBe(0);
  });

  it.each([
    ["code=422, example=invalid_request", ProviderError, "invalid_request", "93804", 422],
    ["code=401", InvalidClientError, "invalid_client", undefined, 401],
    ["code=500", ProviderError, "server_error", undefined, 500],
  ])("keeps the token when revoke fails with %s", async (prefer, type, code, providerCode, status) => {
    const { oauth, store } = setup(prefer, await connectedStore());
    const error = await oauth.revoke("merchant-42").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, providerCode, status, operation: "revoke" });
    expect(await store.get(KEY)).toBeDefined();
    expectNoSecrets(error);
  });
});

describe("wrong credentials: the mock answers 401 like the gateway", () => {
  const basic = (value: string) => `Basic ${btoa(value)}`;
  const calls = [
    ["/oauth/access_tokens", { code: CODE, grant_type: "authorization_code" }],
    ["/oauth/revoke_access_token", { token: ACCESS_1 }],
  ] as const;

  function post(path: string, authorization: string | undefined, body: unknown) {
    const headers = new Headers({
      "Content-Type": "application/json",
      Accept: "application/xml",
      "X-ApiVersion": "6",
    });
    if (authorization !== undefined) headers.set("Authorization", authorization);
    return fetch(`${mock.url}${path}`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  }

  for (const [path, body] of calls) {
    it.each([
      ["no Authorization", undefined],
      ["a merchant access token as Bearer", `Bearer ${ACCESS_1}`],
      ["Basic without an id:secret pair", basic(credentials.clientSecret)],
    ])(`${path} with %s: 401, not a 422 invalid grant`, async (_, authorization) => {
      const response = await post(path, authorization, body);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe("");
      const violations = JSON.parse(response.headers.get("sl-violations") ?? "[]") as { code?: unknown }[];
      expect(violations.map((v) => v.code)).toEqual([401]);
    });

    it(`${path} with the partner's Basic credentials: accepted`, async () => {
      const response = await post(path, basic(`${credentials.clientId}:${credentials.clientSecret}`), body);
      expect(response.headers.get("sl-violations")).toBeNull();
      expect(response.status).toBe(200);
    });
  }
});

describe("capabilities", () => {
  it("has refresh and revoke, but no client-credentials grant and no introspection", async () => {
    const { oauth } = setup(undefined, await connectedStore());
    expect(typeof oauth.refresh).toBe("function");
    expect(typeof oauth.revoke).toBe("function");
    // @ts-expect-error Braintree has no client-credentials grant
    expect(oauth.clientCredentials).toBeUndefined();
    // @ts-expect-error Braintree has no introspection endpoint
    expect(oauth.introspect).toBeUndefined();
    expect("clientCredentials" in oauth || "introspect" in oauth).toBe(false);
  });
});

describe("violation guard", () => {
  it("fails a call the spec does not allow", async () => {
    const { provider } = setup();
    const call = provider.client.POST("/oauth/access_tokens", {
      params: { header: { "X-ApiVersion": "6" } },
      headers: { Authorization: "Basic eDp5" },
      // @ts-expect-error deliberately incomplete body
      body: { code: "x" },
      parseAs: "text",
      signal: AbortSignal.timeout(5000),
    });
    await expect(call).rejects.toBeInstanceOf(ContractViolationError);
  });
});
