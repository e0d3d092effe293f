import {
  AuthorizationDeniedError,
  createOAuthClient,
  InvalidClientError,
  InvalidGrantError,
  InvalidInputError,
  MemoryTokenStore,
  ProviderError,
  ReauthorizationRequiredError,
  type RefreshErrorEvent,
  storeKey,
  type Token,
  TokenNotFoundError,
  type TokenUpdateEvent,
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
import {
  createOpenCollectiveGraphQLClient,
  fetchMe,
  opencollective,
  type TokenResponse,
} from "../src/index.js";

// Contract tests: every operation of specs/opencollective.yaml, success and each documented error,
// through the real client over HTTP against Prism serving the spec. Any `sl-violations` header fails
// the call.

const credentials = {
  clientId: "oc_client_id_123",
  clientSecret: "oc_client_secret_456:with-colon",
  redirectUri: "https://partner.example/oauth/opencollective/callback",
};
const CODE = "aBcD1234efGH";
const NOW = Date.UTC(2026, 0, 1);
const NINETY_DAYS_MS = 7_776_000_000;
// What Prism's `token` example carries.
const ACCESS_TOKEN_PREFIX = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IkhTMjU2LTIwMTktMDktMDIifQ.";
const REFRESH_TOKEN = "oauth_refresh__5d2b8f1c7a3e9d4b6f0a2c8e1d7b3f9a5c4e8d2b6f1a7c3e9";

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock("opencollective");
});
afterAll(async () => {
  await mock?.stop();
});

function setup(prefer?: string, options: { fetch?: typeof fetch; now?: () => number; pkce?: boolean } = {}) {
  const base = options.fetch ?? fetch;
  const provider = opencollective({
    ...credentials,
    environment: "staging",
    baseUrl: mock.url,
    now: () => NOW,
    fetch: prefer ? withPrefer(prefer, base) : base,
    pkce: options.pkce,
  });
  provider.client.use(violationGuard);
  const store = new MemoryTokenStore();
  const updates: TokenUpdateEvent<TokenResponse>[] = [];
  const refreshErrors: RefreshErrorEvent[] = [];
  const oauth = createOAuthClient(provider, {
    store,
    timeoutMs: 5000,
    now: options.now ?? (() => NOW),
    onTokenUpdate: (event) => {
      updates.push(event);
    },
    onRefreshError: (event) => {
      refreshErrors.push(event);
    },
  });
  return { provider, store, oauth, updates, refreshErrors };
}

type Setup = ReturnType<typeof setup>;
const key = storeKey({ provider: "opencollective", tokenType: "default", account: "merchant-42" });

async function connect(oauth: Setup["oauth"], account = "merchant-42") {
  const { state, codeVerifier } = await oauth.authorize({ scopes: ["email", "account"] });
  return oauth.handleCallback(`${credentials.redirectUri}?code=${CODE}&state=${state}`, {
    expectedState: state,
    codeVerifier,
    account,
  });
}

/** A token obtained from the healthy mock, copied into another setup's store. */
async function seed(target: Setup): Promise<Token<TokenResponse>> {
  const token = await connect(setup().oauth);
  await target.store.set(key, { ...token, scopes: [...token.scopes] });
  return token;
}

/** A fetch that keeps a copy of every request it sends. */
function recording(base: typeof fetch = fetch) {
  const requests: Request[] = [];
  const recorder: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    return base(request);
  };
  return { fetch: recorder, requests };
}

function expectNoSecrets(error: unknown, ...secrets: string[]) {
  assertNoSecrets(error, [credentials.clientSecret, CODE, REFRESH_TOKEN, ACCESS_TOKEN_PREFIX, ...secrets]);
}

describe("authorize (GET /oauth/authorize)", () => {
  it("builds the documented URL by default: comma-separated scopes, no PKCE", async () => {
    const { oauth } = setup();
    const { url, state, codeVerifier } = await oauth.authorize({ scopes: ["email", "account", "email"] });
    expect(codeVerifier).toBeUndefined();
    expect(url.origin).toBe(mock.url);
    expect(url.searchParams.get("scope")).toBe("email,account");
    expect(url.searchParams.get("state")).toBe(state);
    expect(url.searchParams.get("redirect_uri")).toBe(credentials.redirectUri);
    expect(url.searchParams.has("code_challenge")).toBe(false);
    expect(url.searchParams.has("code_challenge_method")).toBe(false);
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toContain("code=");
  });

  it("adds an S256 challenge when PKCE is opted in", async () => {
    const { oauth } = setup(undefined, { pkce: true });
    const { url, codeVerifier } = await oauth.authorize({ scopes: ["email"] });
    expect(codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
  });

  it.each([
    ["space-separated (the docs' current form)", "email account"],
    ["comma-separated (legacy)", "email,account"],
    ["comma and space", "email, account"],
    ["kyc and exportRequests", "kyc,exportRequests"],
  ])("accepts a %s scope list, like the API", async (_, scope) => {
    const { oauth } = setup();
    const { url } = await oauth.authorize({ scopes: [] });
    url.searchParams.set("scope", scope);
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
  });

  it("requests kyc and exportRequests", async () => {
    const { oauth } = setup();
    const { url } = await oauth.authorize({ scopes: ["kyc", "exportRequests"] });
    expect(url.searchParams.get("scope")).toBe("kyc,exportRequests");
  });

  it("leaves scope out when none is requested", async () => {
    const { oauth } = setup();
    const { url } = await oauth.authorize({ scopes: [] });
    expect(url.searchParams.has("scope")).toBe(false);
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
  });

  it("uses the production and staging hosts", async () => {
    const production = opencollective({ ...credentials, environment: "production" });
    const staging = opencollective({ ...credentials, environment: "staging" });
    const input = { state: "s", options: { scopes: [] } };
    expect(production.authorizationUrl(input).origin).toBe("https://opencollective.com");
    expect(staging.authorizationUrl(input).origin).toBe("https://staging.opencollective.com");
  });

  it("is rejected by the mock when a parameter breaks the spec (the check is real)", async () => {
    const { oauth } = setup();
    const { url } = await oauth.authorize({ scopes: ["email"] });
    url.searchParams.set("scope", "email,bogus");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.status).not.toBe(302);
  });

  it("turns the Cancel redirect (error=access_denied) into AuthorizationDeniedError", async () => {
    // Prism always serves the first Location example, so the spec's `access_denied` one is built here.
    const { oauth, store } = setup();
    const { state, codeVerifier } = await oauth.authorize({ scopes: ["email"] });
    const callback = `${credentials.redirectUri}?error=access_denied&error_description=Access%20denied%3A%20user%20denied%20access%20to%20application&state=${state}`;
    const error = await oauth
      .handleCallback(callback, { expectedState: state, codeVerifier, account: "merchant-42" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorizationDeniedError);
    expect(error).toMatchObject({ code: "access_denied" });
    expect(store.size).toBe(0);
  });

  it("refuses unknown scopes", async () => {
    const { oauth } = setup();
    // @ts-expect-error `root` exists on the server but the consent page never grants it
    await expect(oauth.authorize({ scopes: ["root"] })).rejects.toThrow(InvalidInputError);
  });
});

describe("exchange (POST /oauth/token, authorization_code)", () => {
  it("exchanges the code without a verifier by default (the documented flow)", async () => {
    const { fetch: recorder, requests } = recording();
    const { oauth } = setup(undefined, { fetch: recorder });
    const token = await connect(oauth);
    expect(token.accessToken.startsWith(ACCESS_TOKEN_PREFIX)).toBe(true);
    const sent = Object.fromEntries(new URLSearchParams(await requests[0]?.text()));
    expect(sent).toEqual({
      grant_type: "authorization_code",
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      code: CODE,
      redirect_uri: credentials.redirectUri,
    });
  });

  it("with PKCE opted in, exchanges the code with the verifier and stores a normalized 90-day token", async () => {
    const { fetch: recorder, requests } = recording();
    const { oauth, store } = setup(undefined, { fetch: recorder, pkce: true });
    const { state, codeVerifier } = await oauth.authorize({ scopes: ["email", "account"] });
    const token = await oauth.handleCallback(`${credentials.redirectUri}?code=${CODE}&state=${state}`, {
      expectedState: state,
      codeVerifier,
      account: "merchant-42",
    });
    expect(token.accessToken.startsWith(ACCESS_TOKEN_PREFIX)).toBe(true);
    expect(token.tokenType).toBe("Bearer");
    expect(token.refreshToken).toBe(REFRESH_TOKEN);
    expect(token.expiresAt).toBe(NOW + NINETY_DAYS_MS);
    expect(token.scopes).toEqual(["email", "account"]);
    expect(token.subject).toBeUndefined();
    expect(token.raw.expires_in).toBe(7_776_000);
    expect((await store.get(key))?.accessToken).toBe(token.accessToken);

    const sent = new URLSearchParams(await requests[0]?.text());
    expect(Object.fromEntries(sent)).toEqual({
      grant_type: "authorization_code",
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      code: CODE,
      redirect_uri: credentials.redirectUri,
      code_verifier: codeVerifier,
    });
  });

  it("accepts the legacy response that carries the access token only", async () => {
    const { oauth } = setup("code=200, example=legacy");
    const token = await connect(oauth);
    expect(token).toMatchObject({ tokenType: "Bearer", scopes: [] });
    expect(token.expiresAt).toBeUndefined();
    expect(token.refreshToken).toBeUndefined();
  });

  it("maps a code older than 5 minutes (invalid_grant) to InvalidGrantError", async () => {
    const { oauth, store } = setup("code=400, example=invalid_grant");
    const error = await connect(oauth).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(error).toMatchObject({
      code: "invalid_grant",
      status: 400,
      description: "Invalid grant: authorization code has expired",
    });
    expect(store.size).toBe(0);
    expectNoSecrets(error);
  });

  it.each([
    ["code=400, example=invalid_grant_unknown_code", InvalidGrantError, "invalid_grant", 400],
    ["code=400, example=invalid_grant_code_verifier", InvalidGrantError, "invalid_grant", 400],
    ["code=400, example=invalid_grant_missing_code_verifier", InvalidGrantError, "invalid_grant", 400],
    ["code=400, example=invalid_request_code_verifier", ProviderError, "invalid_request", 400],
    ["code=400, example=invalid_client", InvalidClientError, "invalid_client", 400],
    ["code=400, example=invalid_client_unknown", InvalidClientError, "invalid_client", 400],
    ["code=400, example=invalid_client_missing_credentials", InvalidClientError, "invalid_client", 400],
    ["code=400, example=invalid_request", ProviderError, "invalid_request", 400],
    ["code=400, example=invalid_request_redirect_uri", ProviderError, "invalid_request", 400],
    ["code=400, example=invalid_request_content_type", ProviderError, "invalid_request", 400],
    ["code=400, example=unsupported_grant_type", ProviderError, "unsupported_grant_type", 400],
    ["code=400, example=invalid_scope", ProviderError, "invalid_scope", 400],
    ["code=401, example=invalid_client", InvalidClientError, "invalid_client", 401],
  ])("maps %s to a typed error and stores nothing", async (prefer, type, code, status) => {
    const { oauth, store } = setup(prefer);
    const error = await connect(oauth).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, status, provider: "opencollective", operation: "exchange" });
    expect(store.size).toBe(0);
    expectNoSecrets(error);
  });
});

describe("refresh (POST /oauth/token, refresh_token)", () => {
  it("refreshes with the stored refresh token and replaces the stored token", async () => {
    const { fetch: recorder, requests } = recording();
    const target = setup(undefined, { fetch: recorder });
    await seed(target);
    const fresh = await target.oauth.refresh("merchant-42");
    expect(fresh.refreshToken).toBe(REFRESH_TOKEN);
    expect(fresh.expiresAt).toBe(NOW + NINETY_DAYS_MS);
    expect(target.updates.map((u) => u.reason)).toEqual(["refresh"]);
    expect(Object.fromEntries(new URLSearchParams(await requests[0]?.text()))).toEqual({
      grant_type: "refresh_token",
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      refresh_token: REFRESH_TOKEN,
    });
  });

  it("refreshes on getToken once the 90-day token is within the skew", async () => {
    const target = setup(undefined, { now: () => NOW + NINETY_DAYS_MS - 30_000 });
    await seed(target);
    await target.oauth.getToken("merchant-42");
    expect(target.updates.map((u) => u.reason)).toEqual(["refresh"]);
  });

  it.each([
    ["code=400, example=invalid_grant_refresh_token", "invalid_grant", 400],
    ["code=400, example=invalid_grant_refresh_token_expired", "invalid_grant", 400],
  ])(
    "treats %s as a dead grant: ReauthorizationRequiredError, grant removed",
    async (prefer, providerCode, status) => {
      const target = setup(prefer);
      await seed(target);
      const error = await target.oauth.refresh("merchant-42").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReauthorizationRequiredError);
      expect(error).toMatchObject({ account: "merchant-42", operation: "refresh" });
      const cause = (error as Error).cause;
      expect(cause).toBeInstanceOf(InvalidGrantError);
      expect(cause).toMatchObject({ code: "invalid_grant", providerCode, status });
      expect(target.store.size).toBe(0);
      expect(target.refreshErrors).toMatchObject([{ grantRemoved: true }]);
      expectNoSecrets(error);
    },
  );

  it.each([
    ["code=400, example=invalid_client", InvalidClientError, "invalid_client", 400],
    ["code=401, example=invalid_client", InvalidClientError, "invalid_client", 401],
    ["code=400, example=invalid_scope", ProviderError, "invalid_scope", 400],
    ["code=400, example=invalid_request", ProviderError, "invalid_request", 400],
    ["code=400, example=unsupported_grant_type", ProviderError, "unsupported_grant_type", 400],
  ])("keeps the grant when refresh fails with %s", async (prefer, type, code, status) => {
    const target = setup(prefer);
    await seed(target);
    const error = await target.oauth.refresh("merchant-42").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, status, operation: "refresh" });
    expect(await target.store.get(key)).toBeDefined();
    expect(target.refreshErrors).toMatchObject([{ grantRemoved: false }]);
    expectNoSecrets(error);
  });
});

describe("GraphQL me (POST /api/graphql/v2 through the bearer middleware)", () => {
  function graphql(target: Setup, prefer?: string) {
    const { fetch: recorder, requests } = recording(guardedFetch(prefer ? withPrefer(prefer) : fetch));
    const client = createOpenCollectiveGraphQLClient({
      oauth: target.oauth,
      account: "merchant-42",
      fetch: recorder,
    });
    client.use(violationGuard);
    return { client, requests };
  }

  it("returns the user and sends the stored token as a Bearer header", async () => {
    const target = setup();
    const token = await connect(target.oauth);
    const { client, requests } = graphql(target);
    expect(await fetchMe(client)).toEqual({
      id: "ljpe4wz0-v35a8oky-wenvmkyg-rdbmox9n",
      name: "Jane Doe",
      email: "jane@shop.example",
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe(`${mock.url}/api/graphql/v2`);
    expect(requests[0]?.headers.get("authorization")).toBe(`Bearer ${token.accessToken}`);
    expect(await requests[0]?.json()).toEqual({ query: "{ me { id name email } }" });
  });

  it("treats `me: null` (token ignored: invalid, revoked or replaced) as invalid_token after one refresh", async () => {
    const target = setup();
    const token = await connect(target.oauth);
    const { client, requests } = graphql(target, "code=200, example=me_not_authenticated");
    const error = await fetchMe(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "invalid_token", status: 200, operation: "request" });
    expectNoSecrets(error, token.accessToken);
    // Asked twice: with the stored token, then with the refreshed one.
    expect(requests).toHaveLength(2);
    expect(target.updates.map((u) => u.reason)).toEqual(["exchange", "refresh"]);
  });

  it("on `me: null`, a refresh token Open Collective no longer knows removes the grant", async () => {
    const target = setup("code=400, example=invalid_grant_refresh_token");
    await seed(target);
    const { client } = graphql(target, "code=200, example=me_not_authenticated");
    await expect(fetchMe(client)).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(await target.store.get(key)).toBeUndefined();
  });

  it("on `me: null`, a refreshed token that works answers the query", async () => {
    const target = setup();
    await connect(target.oauth);
    let calls = 0;
    const once: typeof fetch = (input, init) =>
      (calls++ === 0 ? withPrefer("code=200, example=me_not_authenticated") : fetch)(input, init);
    const client = createOpenCollectiveGraphQLClient({
      oauth: target.oauth,
      account: "merchant-42",
      fetch: guardedFetch(once),
    });
    await expect(fetchMe(client)).resolves.toMatchObject({ id: "ljpe4wz0-v35a8oky-wenvmkyg-rdbmox9n" });
    expect(calls).toBe(2);
  });

  it.each([
    ["code=200, example=scope_error", 200, undefined, "Unauthorized"],
    ["code=400, example=GRAPHQL_VALIDATION_FAILED", 400, "invalid_request", "GRAPHQL_VALIDATION_FAILED"],
    ["code=400, example=GRAPHQL_PARSE_FAILED", 400, "invalid_request", "GRAPHQL_PARSE_FAILED"],
    ["code=401, example=unauthorized", 401, "invalid_token", "unauthorized"],
    ["code=429, example=rate_limit_exceeded", 429, undefined, undefined],
  ])("maps %s to a typed error", async (prefer, status, code, providerCode) => {
    const target = setup();
    const token = await connect(target.oauth);
    const error = await fetchMe(graphql(target, prefer).client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status, code, providerCode, provider: "opencollective" });
    expect((error as ProviderError).description).toBeTruthy();
    expectNoSecrets(error, token.accessToken);
  });

  it("refreshes once and replays on 401 jwt_expired, then reports the typed error", async () => {
    const target = setup();
    const token = await connect(target.oauth);
    const { client, requests } = graphql(target, "code=401, example=jwt_expired");
    const error = await fetchMe(client).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: "invalid_token", providerCode: "jwt_expired" });
    expect(requests).toHaveLength(2);
    expect(target.updates.map((u) => u.reason)).toEqual(["exchange", "refresh"]);
    expectNoSecrets(error, token.accessToken);
  });

  it("fails before any request when the account has no token", async () => {
    const target = setup();
    const { client, requests } = graphql(target);
    await expect(fetchMe(client)).rejects.toBeInstanceOf(TokenNotFoundError);
    expect(requests).toHaveLength(0);
  });
});

describe("wrong credentials on GraphQL", () => {
  it.each([
    ["no Authorization", undefined],
    ["Basic client credentials", `Basic ${btoa("id:secret")}`],
  ])("the mock answers %s with 401, not a GraphQL result", async (_, authorization) => {
    const response = await fetch(`${mock.url}/api/graphql/v2`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(authorization ? { Authorization: authorization } : {}),
      },
      body: JSON.stringify({ query: "{ me { id name email } }" }),
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 401 } });
    const violations = JSON.parse(response.headers.get("sl-violations") ?? "[]") as { code?: unknown }[];
    expect(violations.map((v) => v.code)).toEqual([401]);
  });
});

describe("violation guard", () => {
  it("fails a token call the spec does not allow", async () => {
    const { provider } = setup();
    const call = provider.client.POST("/oauth/token", {
      // @ts-expect-error deliberately incomplete body
      body: { grant_type: "authorization_code" },
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
      signal: AbortSignal.timeout(5000),
    });
    await expect(call).rejects.toBeInstanceOf(ContractViolationError);
  });

  it("fails a GraphQL call the spec does not allow", async () => {
    const target = setup();
    await connect(target.oauth);
    const client = createOpenCollectiveGraphQLClient({ oauth: target.oauth, account: "merchant-42" });
    client.use(violationGuard);
    const call = client.POST("/api/graphql/v2", {
      // @ts-expect-error deliberately missing `query`
      body: { variables: {} },
      signal: AbortSignal.timeout(5000),
    });
    await expect(call).rejects.toBeInstanceOf(ContractViolationError);
  });
});
