import {
  type BaseClient,
  codeChallengeS256,
  createOAuthClient,
  InvalidClientError,
  InvalidGrantError,
  InvalidInputError,
  MemoryTokenStore,
  ProviderError,
  ReauthorizationRequiredError,
  StateMismatchError,
  storeKey,
  type TokenData,
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
import {
  SQUARE_VERSION,
  type SquarePermission,
  type SquareProviderBase,
  square,
  squarePermissions,
} from "../src/index.js";

// Contract tests: every operation of specs/square.yaml, success and each documented error example,
// through the real client over HTTP against Prism serving the spec. Any `sl-violations` header fails
// the call. Prism's examples carry fixed expiries, so both clocks are pinned before them.

const NOW = Date.parse("2036-11-23T12:00:00Z");
const now = () => NOW;
const credentials = {
  clientId: "sq0idp-partnerApp123",
  clientSecret: "sq0csp-partner_secret-456",
  redirectUri: "https://partner.example/square/callback",
};
const CODE = "sq0cgb-aBcD1234efGH";
const ACCOUNT = "merchant-42";
const KEY = storeKey({ provider: "square", tokenType: "default", account: ACCOUNT });
// Every token value in the spec's examples: none may reach an error.
const EXAMPLE_TOKENS = [
  "EAAAEOuLQObrVwJvCvoio2ZIYIXYbd4Hqvp2WwiyqqUwGVnMsgDAMyWKwOjTyUzN",
  "EQAAEEJ7ZmWtnWvW2wsX0H9fOgR0vKVEmJk3oTRqGQYvqY8NQb6T0aLb0fI3wRkq",
  "EAAAEHq7s0dMfM0Uo7cYxZp5bNw2JmR8t4Lq9VhWcK1yA3gD6uXeFiBvTsOnPjQa",
  "EQAAEPkCEj0s3kTbE_NhvP2aYlMf3wQbNXuDq8Hx1sL0cGtR7yVzWjA4nIoUe9Kd",
];

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock("square");
});
afterAll(async () => {
  await mock?.stop();
});

/** A fetch that keeps a copy of every request, optionally selecting a Prism example. */
function recorder(prefer?: string) {
  const requests: Request[] = [];
  const base = prefer ? withPrefer(prefer) : fetch;
  const record: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    return base(request);
  };
  return { fetch: record, requests };
}

/** The confidential adapter (with the secret: Square's code flow and revoke) over the mock. */
function setup(prefer?: string, adapterNow: () => number = now) {
  const recorded = recorder(prefer);
  const provider = square({
    ...credentials,
    environment: "sandbox",
    baseUrl: mock.url,
    fetch: recorded.fetch,
    now: adapterNow,
  });
  return wire(provider, recorded.requests);
}

/** The public adapter (no secret: Square's PKCE flow) over the mock. */
function setupPkce(prefer?: string) {
  const recorded = recorder(prefer);
  const provider = square({
    clientId: credentials.clientId,
    redirectUri: credentials.redirectUri,
    environment: "sandbox",
    baseUrl: mock.url,
    fetch: recorded.fetch,
    now,
  });
  return wire(provider, recorded.requests);
}

function wire<P extends SquareProviderBase>(provider: P, requests: Request[]) {
  provider.client.use(violationGuard);
  const store = new MemoryTokenStore();
  const oauth = createOAuthClient(provider, { store, timeoutMs: 5000, now });
  return { provider, store, oauth, requests };
}

// What both flows' facades have in common.
type Oauth = BaseClient<SquareProviderBase>;

let lastVerifier = "";
async function connect(oauth: Oauth, account = ACCOUNT) {
  const { state, codeVerifier } = await oauth.authorize({
    scopes: ["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE"],
  });
  lastVerifier = codeVerifier ?? "";
  return oauth.handleCallback(`${credentials.redirectUri}?code=${CODE}&response_type=code&state=${state}`, {
    expectedState: state,
    codeVerifier,
    account,
  });
}

/** A live grant in a fresh setup whose server answers with `prefer`. */
async function seeded(prefer: string, connectPrefer?: string) {
  const token = await connect(setup(connectPrefer).oauth);
  const failing = setup(prefer);
  await failing.store.set(KEY, { ...token, scopes: [...token.scopes] } as TokenData);
  return { ...failing, token };
}

/** The same for the public PKCE adapter. */
async function seededPkce(prefer: string, connectPrefer?: string) {
  const token = await connect(setupPkce(connectPrefer).oauth);
  const failing = setupPkce(prefer);
  await failing.store.set(KEY, { ...token, scopes: [...token.scopes] } as TokenData);
  return { ...failing, token };
}

function expectNoSecrets(error: unknown, ...more: string[]) {
  assertNoSecrets(error, [credentials.clientSecret, CODE, lastVerifier, ...EXAMPLE_TOKENS, ...more]);
}

describe("authorize (GET /oauth2/authorize)", () => {
  it("builds a code-flow URL without a PKCE challenge when the adapter has the secret", async () => {
    const { oauth } = setup();
    const { url, codeVerifier } = await oauth.authorize({ scopes: ["PAYMENTS_READ"] });
    expect(codeVerifier).toBeUndefined();
    expect(url.searchParams.has("code_challenge")).toBe(false);
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
  });

  it("builds a PKCE URL the spec accepts, with every option", async () => {
    const { oauth } = setupPkce();
    const { url, state, codeVerifier } = await oauth.authorize({
      scopes: ["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE"],
      locale: "en-US",
      session: false,
    });
    expect(codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.origin + url.pathname).toBe(`${mock.url}/oauth2/authorize`);
    expect(url.searchParams.get("client_id")).toBe(credentials.clientId);
    expect(url.searchParams.get("scope")).toBe("MERCHANT_PROFILE_READ PAYMENTS_WRITE");
    expect(url.search).toContain("scope=MERCHANT_PROFILE_READ+PAYMENTS_WRITE");
    expect(url.searchParams.get("state")).toBe(state);
    expect(url.searchParams.get("code_challenge")).toBe(await codeChallengeS256(codeVerifier as string));
    expect(url.searchParams.has("code_challenge_method")).toBe(false); // Square documents none
    expect(url.searchParams.get("redirect_uri")).toBe(credentials.redirectUri);
    expect(url.searchParams.get("session")).toBe("false");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toContain("code=");
  });

  it("uses the production or the sandbox host per environment", async () => {
    const production = square({ clientId: "app", environment: "production" });
    const sandbox = square({ clientId: "app", environment: "sandbox" });
    const input = {
      state: "s",
      codeChallenge: "c".repeat(43),
      options: { scopes: ["PAYMENTS_READ" as const] },
    };
    expect(production.authorizationUrl(input).origin).toBe("https://connect.squareup.com");
    expect(sandbox.authorizationUrl(input).origin).toBe("https://connect.squareupsandbox.com");
    expect(sandbox.authorizationUrl(input).searchParams.has("redirect_uri")).toBe(false);
  });

  it("carries the requested permissions in the state, which the spec accepts and the mock echoes", async () => {
    const { oauth } = setup();
    const { url, state } = await oauth.authorize({
      scopes: ["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE", "MERCHANT_PROFILE_READ"],
      session: false,
    });
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}\.MERCHANT_PROFILE_READ\.PAYMENTS_WRITE$/);
    expect(url.searchParams.get("state")).toBe(state);
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
    // Two states for the same permissions differ in their random part.
    expect((await oauth.authorize({ scopes: ["MERCHANT_PROFILE_READ"] })).state).not.toBe(
      (await oauth.authorize({ scopes: ["MERCHANT_PROFILE_READ"] })).state,
    );
  });

  it("requests every documented permission in one URL the spec accepts", async () => {
    const { oauth } = setup();
    const { url, state } = await oauth.authorize({ scopes: squarePermissions });
    expect(url.searchParams.get("scope")?.split(" ")).toEqual([...squarePermissions]);
    expect(state.split(".").slice(1)).toEqual([...squarePermissions]);
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(302);
  });

  it("accepts a permission newer than the typed list with a cast (the pattern is checked at run time)", async () => {
    const { oauth } = setup();
    const { url, state } = await oauth.authorize({ scopes: ["RESERVATIONS_READ" as SquarePermission] });
    expect(url.searchParams.get("scope")).toBe("RESERVATIONS_READ");
    expect(state.endsWith(".RESERVATIONS_READ")).toBe(true);
  });

  it("is rejected by the mock when a required parameter is missing (the check is real)", async () => {
    const { oauth } = setup();
    const { url } = await oauth.authorize({ scopes: ["PAYMENTS_READ"] });
    url.searchParams.delete("client_id");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    expect(response.status).not.toBe(302);
  });

  it("refuses missing or malformed permissions and unknown locales", async () => {
    const { oauth } = setup();
    await expect(oauth.authorize({ scopes: [] })).rejects.toThrow(InvalidInputError);
    // @ts-expect-error not a Square permission (and not its pattern: refused at run time too)
    await expect(oauth.authorize({ scopes: ["payments_read"] })).rejects.toThrow(InvalidInputError);
    // @ts-expect-error not a supported locale
    await expect(oauth.authorize({ scopes: ["PAYMENTS_READ"], locale: "de-DE" })).rejects.toThrow(
      InvalidInputError,
    );
  });
});

describe("exchange (POST /oauth2/token, authorization_code)", () => {
  it("exchanges the code with the client secret (code flow) and stores a normalized token keyed by account", async () => {
    const { oauth, store, requests } = setup();
    const token = await connect(oauth);
    expect(token.accessToken).toBe(EXAMPLE_TOKENS[0]);
    expect(token.tokenType).toBe("bearer");
    expect(token.expiresAt).toBe(Date.parse("2036-12-21T17:54:09Z"));
    expect(token.refreshToken).toBe(EXAMPLE_TOKENS[1]);
    expect(token.refreshTokenExpiresAt).toBeUndefined();
    expect(token.subject).toBe("MLQW7K2HJ2RDE");
    // ObtainToken names no scopes: the ones requested on the authorize URL, carried in the state.
    expect(token.scopes).toEqual(["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE"]);
    expect((await store.get(KEY))?.scopes).toEqual(["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE"]);
    expect(token.raw.short_lived).toBe(false);
    expect((await store.get(KEY))?.accessToken).toBe(token.accessToken);

    const [request] = requests;
    expect(request?.headers.get("Square-Version")).toBe(SQUARE_VERSION);
    expect(request?.headers.get("Content-Type")).toBe("application/json");
    expect(request?.headers.has("Authorization")).toBe(false);
    expect(await request?.json()).toEqual({
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      grant_type: "authorization_code",
      code: CODE,
      redirect_uri: credentials.redirectUri,
    });
  });

  it("fills the PKCE grant's scopes from the state as well", async () => {
    const { oauth } = setupPkce("code=200, example=pkce_flow");
    const token = await connect(oauth);
    expect(token.scopes).toEqual(["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE"]);
  });

  it("leaves scopes empty when the code comes without a state that names them", async () => {
    const { oauth, requests } = setup();
    const direct = await oauth.exchange(CODE, { account: ACCOUNT });
    expect(direct.scopes).toEqual([]);
    const plain = await oauth.exchange(CODE, {
      account: ACCOUNT,
      callbackParams: new URLSearchParams({ code: CODE, state: "abc.payments_read" }),
    });
    expect(plain.scopes).toEqual([]);
    // The state never reaches Square's token endpoint.
    expect(await requests[1]?.text()).not.toContain("state");
  });

  it("refuses a callback whose state lost or changed its permission list", async () => {
    const { oauth, store } = setup();
    const { state } = await oauth.authorize({ scopes: ["PAYMENTS_READ"] });
    const widened = `${state}.PAYMENTS_WRITE`;
    const error = await oauth
      .handleCallback(`${credentials.redirectUri}?code=${CODE}&state=${widened}`, {
        expectedState: state,
        account: ACCOUNT,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateMismatchError);
    expect(store.size).toBe(0);
  });

  it("keeps the refresh-token expiry of a PKCE grant (example pkce_flow)", async () => {
    const { oauth } = setupPkce("code=200, example=pkce_flow");
    const token = await connect(oauth);
    expect(token.refreshToken).toBe(EXAMPLE_TOKENS[3]);
    expect(token.refreshTokenExpiresAt).toBe(Date.parse("2037-02-19T17:54:09Z"));
  });

  it("stores no refresh token for a short-lived token (example short_lived)", async () => {
    const { oauth } = setup("code=200, example=short_lived");
    const token = await connect(oauth);
    expect(token.refreshToken).toBeUndefined();
    expect(token.raw.short_lived).toBe(true);
  });

  it("works as a public PKCE client: no secret sent, no revoke", async () => {
    const recorded = recorder();
    const provider = square({
      clientId: credentials.clientId,
      environment: "sandbox",
      baseUrl: mock.url,
      fetch: recorded.fetch,
    });
    provider.client.use(violationGuard);
    const oauth = createOAuthClient(provider, { store: new MemoryTokenStore(), timeoutMs: 5000, now });
    await connect(oauth);
    const body = await recorded.requests[0]?.json();
    expect(body).toMatchObject({ code_verifier: lastVerifier, grant_type: "authorization_code" });
    expect(body).not.toHaveProperty("client_secret");
    expect(body).not.toHaveProperty("redirect_uri");
    expect("revokeToken" in provider).toBe(false);
    expect("renewToken" in provider).toBe(false);
  });

  it("sends an overridden Square-Version and refuses a malformed one", async () => {
    const recorded = recorder();
    const provider = square({
      ...credentials,
      environment: "sandbox",
      baseUrl: mock.url,
      fetch: recorded.fetch,
      squareVersion: "2025-01-23",
    });
    provider.client.use(violationGuard);
    await connect(createOAuthClient(provider, { store: new MemoryTokenStore(), timeoutMs: 5000, now }));
    expect(recorded.requests[0]?.headers.get("Square-Version")).toBe("2025-01-23");
    expect(() => square({ ...credentials, environment: "sandbox", squareVersion: "v2" })).toThrow(TypeError);
  });

  it.each([
    ["code=401, example=invalid_grant", InvalidGrantError, "invalid_grant", 401, "UNAUTHORIZED"],
    ["code=401, example=unauthorized", InvalidClientError, "invalid_client", 401, "service.not_authorized"],
    [
      "code=400, example=missing_required_parameter",
      ProviderError,
      "invalid_request",
      400,
      "MISSING_REQUIRED_PARAMETER",
    ],
    [
      "code=400, example=bad_request_missing_parameter",
      ProviderError,
      "invalid_request",
      400,
      "bad_request.missing_parameter",
    ],
    ["code=400, example=invalid_value", ProviderError, "invalid_request", 400, "INVALID_VALUE"],
  ])("maps %s to a typed error and stores nothing", async (prefer, type, code, status, providerCode) => {
    const { oauth, store } = setup(prefer);
    const error = await connect(oauth).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, status, providerCode, provider: "square", operation: "exchange" });
    expect(store.size).toBe(0);
    expectNoSecrets(error);
  });
});

describe("refresh (POST /oauth2/token, refresh_token)", () => {
  it("refreshes a code-flow grant; the same refresh token comes back (example refresh)", async () => {
    const { oauth, store, requests, token } = await seeded("code=200, example=refresh");
    const fresh = await oauth.refresh(ACCOUNT);
    expect(fresh.accessToken).toBe("EAAAEMpW1tRk6bY0sZcN8xQ2uFhJ4vL7gD9aE3oTiB5yKwXrUqCnVmHjPfSdGlOe");
    expect(fresh.refreshToken).toBe(token.refreshToken);
    expect(fresh.expiresAt).toBe(Date.parse("2037-01-20T09:12:44Z"));
    expect(fresh.subject).toBe("MLQW7K2HJ2RDE");
    // A refresh does not change Square's grant: the stored permissions stay.
    expect(token.scopes).toEqual(["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE"]);
    expect(fresh.scopes).toEqual(token.scopes);
    expect((await store.get(KEY))?.accessToken).toBe(fresh.accessToken);
    expect((await store.get(KEY))?.scopes).toEqual(token.scopes);
    expect(await requests[0]?.json()).toEqual({
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      grant_type: "refresh_token",
      refresh_token: token.refreshToken,
    });
    expect(requests[0]?.headers.get("Square-Version")).toBe(SQUARE_VERSION);
  });

  it("stores the rotated single-use refresh token of a PKCE grant (example pkce_refresh)", async () => {
    const { oauth, store, requests, token } = await seededPkce(
      "code=200, example=pkce_refresh",
      "code=200, example=pkce_flow",
    );
    const fresh = await oauth.refresh(ACCOUNT);
    // The PKCE flow's refresh names only the client: no secret.
    expect(await requests[0]?.json()).toEqual({
      client_id: credentials.clientId,
      grant_type: "refresh_token",
      refresh_token: token.refreshToken,
    });
    const rotated = "EQAAEGr8nYt2pLm5qZ0vXc7bW1sKj4hF9dA6eR3uTiOyBgNwMzCxVlQaPoSeDkJh";
    expect(fresh.refreshToken).toBe(rotated);
    expect(fresh.refreshTokenExpiresAt).toBe(Date.parse("2037-04-20T09:12:44Z"));
    expect(await store.get(KEY)).toMatchObject({ refreshToken: rotated, scopes: token.scopes });
  });

  it("keeps the stored refresh token when the answer has none (example short_lived)", async () => {
    const { oauth, store, token } = await seededPkce(
      "code=200, example=short_lived",
      "code=200, example=pkce_flow",
    );
    await oauth.refresh(ACCOUNT);
    expect(await store.get(KEY)).toMatchObject({
      refreshToken: token.refreshToken,
      refreshTokenExpiresAt: token.refreshTokenExpiresAt,
    });
  });

  it.each([
    ["code=401, example=refresh_token_invalid", "service.not_authorized"],
    ["code=401, example=refresh_token_expired", "UNAUTHORIZED"],
    ["code=401, example=refresh_token_revoked", "ACCESS_TOKEN_REVOKED"],
    ["code=401, example=invalid_grant", "UNAUTHORIZED"],
  ])("deletes the grant and asks for re-authorization on %s", async (prefer, providerCode) => {
    const { oauth, store } = await seeded(prefer);
    const error = await oauth.refresh(ACCOUNT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReauthorizationRequiredError);
    expect(error).toMatchObject({ operation: "refresh", account: ACCOUNT });
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(InvalidGrantError);
    expect(cause).toMatchObject({ code: "invalid_grant", status: 401, providerCode });
    expect(store.size).toBe(0);
    expectNoSecrets(error);
    expectNoSecrets(cause);
  });

  it.each([
    ["code=401, example=unauthorized", InvalidClientError, "invalid_client", 401, "service.not_authorized"],
    [
      "code=400, example=missing_required_parameter",
      ProviderError,
      "invalid_request",
      400,
      "MISSING_REQUIRED_PARAMETER",
    ],
    [
      "code=400, example=bad_request_missing_parameter",
      ProviderError,
      "invalid_request",
      400,
      "bad_request.missing_parameter",
    ],
    ["code=400, example=invalid_value", ProviderError, "invalid_request", 400, "INVALID_VALUE"],
  ])("keeps the grant on %s (not the seller's fault)", async (prefer, type, code, status, providerCode) => {
    const { oauth, store, token } = await seeded(prefer);
    const error = await oauth.refresh(ACCOUNT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).not.toBeInstanceOf(InvalidGrantError);
    expect(error).toMatchObject({ code, status, providerCode, operation: "refresh" });
    expect((await store.get(KEY))?.refreshToken).toBe(token.refreshToken);
    expectNoSecrets(error);
  });
});

describe("revoke (POST /oauth2/revoke)", () => {
  it("revokes the merchant's authorization with Authorization: Client <secret> and deletes the stored token", async () => {
    const { oauth, store, requests, token } = await seeded("code=200, example=success");
    await oauth.revoke(ACCOUNT);
    expect(store.size).toBe(0);
    const [request] = requests;
    expect(request?.headers.get("Authorization")).toBe(`Client ${credentials.clientSecret}`);
    expect(request?.headers.get("Square-Version")).toBe(SQUARE_VERSION);
    expect(token.subject).toBe("MLQW7K2HJ2RDE");
    expect(await request?.json()).toEqual({ client_id: credentials.clientId, merchant_id: token.subject });
  });

  it.each(["code=400, example=not_found", "code=400, example=legacy_not_found"])(
    "treats %s (token already gone) as revoked",
    async (prefer) => {
      const { oauth, store } = await seeded(prefer);
      await oauth.revoke(ACCOUNT);
      expect(store.size).toBe(0);
    },
  );

  it.each([
    [
      "code=400, example=bad_request_missing_parameter",
      ProviderError,
      "invalid_request",
      400,
      "bad_request.missing_parameter",
    ],
    ["code=401, example=unauthorized", InvalidClientError, "invalid_client", 401, "service.not_authorized"],
  ])("keeps the token when revoke fails with %s", async (prefer, type, code, status, providerCode) => {
    const { oauth, store } = await seeded(prefer);
    const error = await oauth.revoke(ACCOUNT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, status, providerCode, operation: "revoke" });
    expect(await store.get(KEY)).toBeDefined();
    expectNoSecrets(error);
  });
});

describe("RenewToken (POST /oauth2/clients/{client_id}/access-token/renew, retired 2024-04-17)", () => {
  it("is not offered by the adapter", () => {
    const { provider } = setup();
    expect("renewToken" in provider).toBe(false);
  });

  it("is retired in the spec: the mock never answers 2xx", async () => {
    const { provider } = setup();
    const { data, error, response } = await provider.client.POST(
      "/oauth2/clients/{client_id}/access-token/renew",
      {
        params: {
          path: { client_id: credentials.clientId },
          header: { Authorization: `Client ${credentials.clientSecret}` },
        },
        body: { access_token: EXAMPLE_TOKENS[0] as string },
        signal: AbortSignal.timeout(5000),
      },
    );
    expect(response.status).toBe(410);
    expect(data).toBeUndefined();
    expect(error).toMatchObject({ errors: [{ code: "GONE" }] });
  });
});

describe("introspect (POST /oauth2/token/status)", () => {
  it("reports a live token with its scopes, expiry, application and merchant", async () => {
    const { oauth, requests, token } = await seeded("code=200, example=oauth_token");
    const status = await oauth.introspect(ACCOUNT);
    expect(status).toEqual({
      active: true,
      scopes: ["MERCHANT_PROFILE_READ", "PAYMENTS_READ", "PAYMENTS_WRITE"],
      expiresAt: Date.parse("2036-12-21T17:54:09Z"),
      clientId: "sq0idp-uaPHILoPzWZk3tlJqlML0g",
      merchantId: "MLQW7K2HJ2RDE",
      raw: expect.objectContaining({ merchant_id: "MLQW7K2HJ2RDE" }),
    });
    expect(requests[0]?.headers.get("Authorization")).toBe(`Bearer ${token.accessToken}`);
    expect(requests[0]?.headers.get("Square-Version")).toBe(SQUARE_VERSION);
  });

  it("reports a token that never expires (example personal_access_token)", async () => {
    const { oauth } = await seeded("code=200, example=personal_access_token");
    expect(await oauth.introspect(ACCOUNT)).toMatchObject({ active: true, expiresAt: undefined });
  });

  it("reports a token past its expires_at by the adapter's clock as expired", async () => {
    const token = await connect(setup().oauth);
    const late = setup("code=200, example=oauth_token", () => Date.parse("2037-01-01T00:00:00Z"));
    await late.store.set(KEY, { ...token, scopes: [] } as TokenData);
    expect(await late.oauth.introspect(ACCOUNT)).toEqual({
      active: false,
      reason: "expired",
      providerCode: undefined,
      merchantId: "MLQW7K2HJ2RDE",
    });
  });

  it.each([
    ["code=401, example=unauthorized", "invalid", "UNAUTHORIZED"],
    ["code=401, example=access_token_expired", "expired", "ACCESS_TOKEN_EXPIRED"],
    ["code=401, example=access_token_revoked", "revoked", "ACCESS_TOKEN_REVOKED"],
    ["code=401, example=malformed_authorization_header", "invalid", "UNAUTHORIZED"],
  ])("reports %s as an inactive token, not an error", async (prefer, reason, providerCode) => {
    const { oauth, store } = await seeded(prefer);
    expect(await oauth.introspect(ACCOUNT)).toEqual({
      active: false,
      reason,
      providerCode,
      merchantId: "MLQW7K2HJ2RDE",
    });
    expect(store.size).toBe(1); // introspection never deletes: refresh or re-authorize is the caller's call
  });

  it("maps 400 invalid_square_version_format to a typed error", async () => {
    const { oauth } = await seeded("code=400, example=invalid_square_version_format");
    const error = await oauth.introspect(ACCOUNT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      status: 400,
      code: "invalid_request",
      providerCode: "INVALID_SQUARE_VERSION_FORMAT",
      operation: "introspect",
    });
    expectNoSecrets(error);
  });
});

describe("what the official SDK sends freely is accepted, as Square accepts it", () => {
  function obtainToken(body: Record<string, unknown>) {
    return fetch(`${mock.url}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Square-Version": SQUARE_VERSION },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  }
  const base = { client_id: credentials.clientId };

  it.each([
    [
      "scopes on a code exchange",
      {
        ...base,
        client_secret: credentials.clientSecret,
        grant_type: "authorization_code",
        code: CODE,
        scopes: ["PAYMENTS_READ"],
      },
    ],
    [
      "redirect_uri on a refresh",
      {
        ...base,
        client_secret: credentials.clientSecret,
        grant_type: "refresh_token",
        refresh_token: EXAMPLE_TOKENS[1],
        redirect_uri: credentials.redirectUri,
      },
    ],
    [
      "client_secret: null on a PKCE exchange",
      {
        ...base,
        client_secret: null,
        grant_type: "authorization_code",
        code: CODE,
        code_verifier: "v".repeat(43),
      },
    ],
    [
      "client_secret: null on a PKCE refresh",
      { ...base, client_secret: null, grant_type: "refresh_token", refresh_token: EXAMPLE_TOKENS[3] },
    ],
  ])("ObtainToken with %s", async (_, body) => {
    const response = await obtainToken(body);
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(200);
  });

  it("ObtainToken still refuses a field no grant has", async () => {
    const response = await obtainToken({
      ...base,
      grant_type: "refresh_token",
      refresh_token: "x1",
      bogus: 1,
    });
    expect(response.headers.get("sl-violations")).toContain("bogus");
  });

  it.each(["False", "false", "True", "true"])(
    "the authorize page takes session=%s (Square's reference writes False)",
    async (session) => {
      const { oauth } = setup();
      const { url } = await oauth.authorize({ scopes: ["PAYMENTS_READ"], session: false });
      expect(url.searchParams.get("session")).toBe("false");
      url.searchParams.set("session", session);
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
      expect(response.headers.get("sl-violations")).toBeNull();
      expect(response.status).toBe(302);
    },
  );
});

describe("wrong credentials: the mock answers like Square", () => {
  /** Prism's own violations: the security check (code 401) and, if declared, the header parameter. */
  function violations(response: Response): { code?: unknown; location?: unknown[] }[] {
    return JSON.parse(response.headers.get("sl-violations") ?? "[]");
  }
  function post(path: string, authorization: string | undefined, body?: unknown) {
    const headers = new Headers({ "Content-Type": "application/json", "Square-Version": SQUARE_VERSION });
    if (authorization !== undefined) headers.set("Authorization", authorization);
    return fetch(`${mock.url}${path}`, {
      method: "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  }
  const revokeBody = { client_id: credentials.clientId, access_token: EXAMPLE_TOKENS[0] };

  it("revoke without Authorization: 401 service.not_authorized, not a bad-grant 400", async () => {
    const response = await post("/oauth2/revoke", undefined, revokeBody);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: "Not Authorized", type: "service.not_authorized" });
    const found = violations(response);
    expect(found.some((v) => v.code === 401)).toBe(true);
    // Besides the security check, only the missing Authorization header itself is reported.
    const others = found.filter((v) => v.code !== 401);
    expect(others).toHaveLength(1);
    expect(others[0]).toMatchObject({ location: ["request", "header"], code: "required" });
    expect(JSON.stringify(others[0])).toContain("authorization");
  });

  it("revoke with a Bearer token: flagged as a contract violation of the Authorization header (Prism cannot answer 401 for a custom scheme)", async () => {
    const response = await post("/oauth2/revoke", `Bearer ${EXAMPLE_TOKENS[0]}`, revokeBody);
    const found = violations(response);
    expect(found).toHaveLength(1);
    expect(found[0]?.location).toEqual(["request", "header", "authorization"]);
    expect(response.status).toBe(400);
  });

  it("revoke with Client <secret>: accepted", async () => {
    const response = await post("/oauth2/revoke", `Client ${credentials.clientSecret}`, revokeBody);
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(200);
  });

  it.each([
    ["no Authorization", undefined],
    ["Client <secret> instead of Bearer", `Client ${credentials.clientSecret}`],
    ["a lower-case bearer scheme", `bearer ${EXAMPLE_TOKENS[0]}`],
  ])("token status with %s: 401 UNAUTHORIZED, not a 400", async (_, authorization) => {
    const response = await post("/oauth2/token/status", authorization);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      errors: [{ category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED" }],
    });
    expect(violations(response).map((v) => v.code)).toEqual([401]);
  });

  it("token status with a Bearer token: accepted", async () => {
    const response = await post("/oauth2/token/status", `Bearer ${EXAMPLE_TOKENS[0]}`);
    expect(response.headers.get("sl-violations")).toBeNull();
    expect(response.status).toBe(200);
  });
});

describe("violation guard", () => {
  it("fails a call the spec does not allow", async () => {
    const { provider } = setup();
    const call = provider.client.POST("/oauth2/revoke", {
      // Deliberately the wrong scheme: revoke wants `Client <secret>`.
      params: { header: { Authorization: "Bearer EAAAx" } },
      body: { client_id: credentials.clientId, access_token: "EAAAx" },
      signal: AbortSignal.timeout(5000),
    });
    await expect(call).rejects.toBeInstanceOf(ContractViolationError);
  });
});
