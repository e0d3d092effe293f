import {
  AuthorizationDeniedError,
  createOAuthClient,
  InvalidClientError,
  InvalidGrantError,
  MemoryTokenStore,
  ProviderError,
  ReauthorizationRequiredError,
  storeKey,
} from "@partner-oauth/core";
import {
  assertNoSecrets,
  assertNoViolations,
  guardedFetch,
  type MockServer,
  startMock,
  violationGuard,
  withPrefer,
} from "@partner-oauth/mocks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMetadata, createOAuth2Client, DiscoveryError, discoverMetadata, oauth2 } from "../src/index.js";

// Contract tests: every operation of specs/oauth2.yaml, success and each documented error, through
// the package's client over HTTP against Prism serving the spec. Any `sl-violations` header fails the
// call. Every request has a timeout (the facade's 5 s, or an AbortSignal).

const credentials = {
  clientId: "s6BhdRkqt3",
  clientSecret: "7Fjfp0ZBr1KtDRbnfVdmIw:with-colon",
  redirectUri: "https://partner.example/oauth/callback",
};
const CODE = "SplxlOBeZQQYbYS6WxSbIA";
const ACCESS_TOKEN = "2YotnFZFEjr1zCsicMWpAA";
const REFRESH_TOKEN = "tGzv3JOkF0XG5Qx2TlKWIA";
const NOW = Date.UTC(2026, 0, 1);

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock("oauth2");
});
afterAll(async () => {
  await mock?.stop();
});

function metadata(base: string) {
  return {
    issuer: "https://auth.partner.example",
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    revocation_endpoint: `${base}/revoke`,
    introspection_endpoint: `${base}/introspect`,
    grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    authorization_response_iss_parameter_supported: true,
  } as const;
}

function setup(
  prefer?: string,
  clientAuth: "client_secret_basic" | "client_secret_post" = "client_secret_basic",
) {
  const requests: Request[] = [];
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    return fetch(request);
  };
  const provider = oauth2({
    id: "standard",
    ...credentials,
    clientAuth,
    metadata: metadata(mock.url),
    refreshTokens: { rotating: { graceMs: 30 * 60_000 } },
    now: () => NOW,
    fetch: prefer ? withPrefer(prefer, recording) : recording,
  });
  provider.client.use(violationGuard);
  const store = new MemoryTokenStore();
  const oauth = createOAuthClient(provider, { store, timeoutMs: 5000, now: () => NOW });
  return { provider, store, oauth, requests };
}

const key = storeKey({ provider: "standard", tokenType: "default", account: "merchant-42" });
const ISS = encodeURIComponent("https://auth.partner.example");

async function connect(oauth: ReturnType<typeof setup>["oauth"]) {
  const { state, codeVerifier } = await oauth.authorize({ scopes: ["read", "write"] });
  return oauth.handleCallback(`${credentials.redirectUri}?code=${CODE}&state=${state}&iss=${ISS}`, {
    expectedState: state,
    codeVerifier,
    account: "merchant-42",
  });
}

async function seed(target: ReturnType<typeof setup>) {
  const token = await connect(setup().oauth);
  await target.store.set(key, { ...token, scopes: [...token.scopes] });
  return token;
}

const secrets = [credentials.clientSecret, CODE, ACCESS_TOKEN, REFRESH_TOKEN];

describe("metadata (GET /.well-known/*)", () => {
  it.each(["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"] as const)(
    "%s: the documented document passes the package's checks",
    async (path) => {
      const client = createOAuth2Client({ baseUrl: mock.url });
      client.use(violationGuard);
      const { data, response } = await client.GET(path, { signal: AbortSignal.timeout(5000) });
      expect(response.status).toBe(200);
      const checked = checkMetadata(data, "standard", "https://auth.partner.example");
      expect(checked.code_challenge_methods_supported).toEqual(["S256"]);
    },
  );

  it("discovery of the mock's own URL is refused: the document names https://auth.partner.example", async () => {
    const error = await discoverMetadata(mock.url, {
      cache: false,
      timeoutMs: 5000,
      fetch: guardedFetch(),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error.reason).toBe("issuer_mismatch");
  });

  it("404 on both well-known paths is not_found, after trying both", async () => {
    const seen: string[] = [];
    const base = withPrefer("code=404", guardedFetch());
    const fetching: typeof fetch = (input, init) => {
      seen.push(new Request(input, init).url);
      return base(input, init);
    };
    const error = await discoverMetadata(mock.url, { cache: false, timeoutMs: 5000, fetch: fetching }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error.reason).toBe("not_found");
    expect(error.status).toBe(404);
    expect(seen.map((u) => new URL(u).pathname)).toEqual([
      "/.well-known/oauth-authorization-server",
      "/.well-known/openid-configuration",
    ]);
  });

  it("a document above the size cap is refused before it is all read", async () => {
    const huge: typeof fetch = async () =>
      new Response(JSON.stringify({ issuer: mock.url, pad: "x".repeat(100_000) }), {
        headers: { "content-type": "application/json" },
      });
    const error = await discoverMetadata(mock.url, { cache: false, fetch: huge }).catch((e) => e);
    expect(error.name).toBe("ResponseParseError");
    expect(error.message).toMatch(/larger than 65536 bytes/);
  });
});

describe("authorize (GET /authorize)", () => {
  it("builds a URL the mock accepts: response_type, client_id, redirect_uri, scope, state, PKCE S256", async () => {
    const { oauth } = setup();
    const { url, state } = await oauth.authorize({
      scopes: ["read", "write"],
      params: { prompt: "consent" },
    });
    expect(url.searchParams.get("scope")).toBe("read write");
    expect(url.searchParams.get("state")).toBe(state);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
    assertNoViolations(response);
    expect(response.status).toBe(302);
  });

  it("extra params cannot replace state, PKCE or the redirect URI", async () => {
    const { oauth } = setup();
    const { url, state } = await oauth.authorize({
      params: { state: "forged", redirect_uri: "https://evil.partner.example", code_challenge: "x" },
    });
    expect(url.searchParams.get("state")).toBe(state);
    expect(url.searchParams.get("redirect_uri")).toBe(credentials.redirectUri);
    expect(url.searchParams.get("code_challenge")).not.toBe("x");
    expect(url.searchParams.has("scope")).toBe(false);
  });

  it("the documented denial becomes AuthorizationDeniedError", async () => {
    const { oauth } = setup();
    const { state } = await oauth.authorize({});
    const error = await oauth
      .handleCallback(
        `${credentials.redirectUri}?error=access_denied&error_description=End-User%20aborted%20interaction&state=${state}&iss=${ISS}`,
        { expectedState: state, account: "merchant-42" },
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthorizationDeniedError);
  });
});

describe("token (POST /token)", () => {
  it.each(["client_secret_basic", "client_secret_post"] as const)(
    "authorization_code with %s: the documented token, normalized",
    async (method) => {
      const { oauth, requests } = setup(undefined, method);
      const token = await connect(oauth);
      expect(token).toMatchObject({
        accessToken: ACCESS_TOKEN,
        tokenType: "Bearer",
        refreshToken: REFRESH_TOKEN,
        expiresAt: NOW + 3600_000,
        scopes: ["read", "write"],
      });
      const request = requests[0] as Request;
      const form = new URLSearchParams(await request.text());
      expect(form.get("grant_type")).toBe("authorization_code");
      expect(form.get("code_verifier")).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
      if (method === "client_secret_basic") {
        expect(request.headers.get("authorization")).toMatch(/^Basic /);
        expect(form.has("client_secret")).toBe(false);
      } else {
        expect(request.headers.has("authorization")).toBe(false);
        expect(form.get("client_secret")).toBe(credentials.clientSecret);
      }
    },
  );

  it("refresh_token: the rotated pair is stored", async () => {
    const target = setup();
    await seed(target);
    const refreshed = await target.oauth.refresh("merchant-42");
    expect(refreshed.refreshToken).toBe(REFRESH_TOKEN);
    const form = new URLSearchParams(await (target.requests.at(-1) as Request).text());
    expect(form.get("grant_type")).toBe("refresh_token");
  });

  it("client_credentials: the documented app token", async () => {
    const { oauth } = setup("code=200, example=client_credentials");
    const token = await oauth.clientCredentials({ tokenType: "app", scopes: ["read"] });
    expect(token).toMatchObject({
      accessToken: "mF_9.B5f-4.1JqM",
      scopes: ["read"],
      expiresAt: NOW + 600_000,
    });
  });

  it.each([
    ["invalid_request", ProviderError],
    ["invalid_client", InvalidClientError],
    ["unauthorized_client", ProviderError],
    ["unsupported_grant_type", ProviderError],
    ["invalid_scope", ProviderError],
  ] as const)("400 %s on the exchange → %s with the code", async (example, type) => {
    const { oauth } = setup(`code=400, example=${example}`);
    const error = await connect(oauth).catch((e) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ status: 400, code: example, operation: "exchange" });
    assertNoSecrets(error, secrets);
  });

  it("400 invalid_grant on the exchange → InvalidGrantError", async () => {
    const error = await connect(setup("code=400, example=invalid_grant").oauth).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidGrantError);
    assertNoSecrets(error, secrets);
  });

  it("400 invalid_grant on refresh: the grant is removed, ReauthorizationRequiredError", async () => {
    const target = setup("code=400, example=invalid_grant");
    await seed(target);
    const error = await target.oauth.refresh("merchant-42").catch((e) => e);
    expect(error).toBeInstanceOf(ReauthorizationRequiredError);
    expect(await target.store.get(key)).toBeUndefined();
    assertNoSecrets(error, secrets);
  });

  it("401 invalid_client → InvalidClientError", async () => {
    const error = await connect(setup("code=401, example=invalid_client").oauth).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidClientError);
    expect(error.status).toBe(401);
    assertNoSecrets(error, secrets);
  });

  it("503 temporarily_unavailable carries Retry-After", async () => {
    const error = await connect(setup("code=503, example=temporarily_unavailable").oauth).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe("temporarily_unavailable");
    expect(error.status).toBe(503);
  });
});

describe("revoke (POST /revoke)", () => {
  it("revokes the refresh token, then the access token, and forgets the grant", async () => {
    const target = setup();
    await seed(target);
    await target.oauth.revoke("merchant-42");
    const forms = await Promise.all(
      target.requests
        .filter((r) => r.url.endsWith("/revoke"))
        .map(async (r) => new URLSearchParams(await r.text())),
    );
    expect(forms.map((f) => f.get("token_type_hint"))).toEqual(["refresh_token", "access_token"]);
    expect(await target.store.get(key)).toBeUndefined();
  });

  it("400 unsupported_token_type for the access token: the refresh token's revocation suffices", async () => {
    const target = setup();
    await seed(target);
    let calls = 0;
    // The first revocation (refresh token) succeeds; the second (access token) gets the 400.
    target.provider.client.use({
      onRequest: ({ request }) => {
        if (!request.url.endsWith("/revoke")) return undefined;
        calls++;
        if (calls < 2) return undefined;
        const headers = new Headers(request.headers);
        headers.set("Prefer", "code=400, example=unsupported_token_type");
        return new Request(request, { headers });
      },
    });
    await target.oauth.revoke("merchant-42");
    expect(calls).toBe(2);
    expect(await target.store.get(key)).toBeUndefined();
  });

  it.each([
    ["code=401, example=invalid_client", InvalidClientError],
    ["code=503, example=temporarily_unavailable", ProviderError],
    ["code=400, example=invalid_request", ProviderError],
  ] as const)("%s → %s, and the grant is kept", async (prefer, type) => {
    const target = setup(prefer);
    const token = await seed(target);
    const error = await target.oauth.revoke("merchant-42").catch((e) => e);
    expect(error).toBeInstanceOf(type);
    expect((await target.store.get(key))?.accessToken).toBe(token.accessToken);
    assertNoSecrets(error, secrets);
  });
});

describe("introspect (POST /introspect)", () => {
  it("active: the documented body", async () => {
    const target = setup();
    await seed(target);
    expect(await target.oauth.introspect("merchant-42")).toMatchObject({ active: true, sub: "merchant-42" });
  });

  it("inactive: { active: false }", async () => {
    const target = setup("code=200, example=inactive");
    await seed(target);
    expect(await target.oauth.introspect("merchant-42")).toEqual({ active: false });
  });

  it("401 invalid_client → InvalidClientError", async () => {
    const target = setup("code=401, example=invalid_client");
    await seed(target);
    const error = await target.oauth.introspect("merchant-42").catch((e) => e);
    expect(error).toBeInstanceOf(InvalidClientError);
    assertNoSecrets(error, secrets);
  });
});
