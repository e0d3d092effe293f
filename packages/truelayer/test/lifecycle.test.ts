import {
  createOAuthClient,
  InvalidInputError,
  MemoryTokenStore,
  ReauthorizationRequiredError,
  ResponseParseError,
  storeKey,
  TokenNotFoundError,
} from "@partner-oauth/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TRUELAYER_HOSTS, truelayer, truelayerHosts } from "../src/index.js";
import { CODES, type FakeTrueLayer, SECRET, startFakeTrueLayer } from "./fake-truelayer.js";

// TrueLayer's lifecycle rules against an in-process scripted server: separate token slots per type,
// client-credentials caching until expiry, refresh of expired data tokens, delete with a live token.

const redirectUri = "https://partner.example/truelayer/callback";
const T0 = Date.parse("2026-03-01T12:00:00Z");
const HOUR = 3600_000;

let server: FakeTrueLayer;
let clock: number;
beforeEach(async () => {
  server = await startFakeTrueLayer();
  clock = T0;
});
afterEach(async () => {
  await server.close();
});

function setup(options: { apiBaseUrl?: string; fetch?: (request: Request) => Promise<Response> } = {}) {
  const now = () => clock;
  const provider = truelayer({
    clientId: "sandbox-app",
    clientSecret: SECRET,
    redirectUri,
    environment: "sandbox",
    baseUrl: server.url,
    now,
    ...options,
  });
  const store = new MemoryTokenStore();
  const oauth = createOAuthClient(provider, { store, now, timeoutMs: 5000 });
  return { oauth, store };
}

async function connect(oauth: ReturnType<typeof setup>["oauth"], code = CODES.offline, account = "user-1") {
  const { state, codeVerifier } = await oauth.authorize({ scopes: ["info", "accounts", "offline_access"] });
  const token = await oauth.handleCallback(`${redirectUri}?code=${code}&state=${state}`, {
    expectedState: state,
    codeVerifier,
    account,
  });
  return { token, codeVerifier };
}

describe("code exchange", () => {
  it("sends the PKCE verifier alongside the client secret and the same redirect_uri", async () => {
    const { oauth } = setup();
    const { codeVerifier } = await connect(oauth);
    const [exchange] = server.grants("authorization_code");
    expect(exchange?.form.get("code_verifier")).toBe(codeVerifier);
    expect(exchange?.form.get("client_secret")).toBe(SECRET);
    expect(exchange?.form.get("redirect_uri")).toBe(redirectUri);
  });

  it("takes the granted scopes from the redirect when the token response has none", async () => {
    const { oauth } = setup();
    server.answerNextToken(200, { access_token: "at", expires_in: 3600, token_type: "Bearer" });
    const { state, codeVerifier } = await oauth.authorize({ scopes: ["info", "accounts"] });
    const callback = `${redirectUri}?code=${CODES.online}&scope=info%20accounts&state=${state}`;
    const token = await oauth.handleCallback(callback, { expectedState: state, codeVerifier, account: "u" });
    expect(token.scopes).toEqual(["info", "accounts"]);
  });

  it("refuses a token response without expires_in and stores nothing", async () => {
    const { oauth, store } = setup();
    server.answerNextToken(200, { access_token: "at-no-expiry", token_type: "Bearer" });
    await expect(connect(oauth)).rejects.toBeInstanceOf(ResponseParseError);
    expect(store.size).toBe(0);
  });
});

describe("token slots", () => {
  it("never returns a data token where a payments token is asked for", async () => {
    const { oauth, store } = setup();
    const { token: data } = await connect(oauth);
    await expect(oauth.getToken("user-1", { tokenType: "payments" })).rejects.toBeInstanceOf(
      TokenNotFoundError,
    );
    const payments = await oauth.clientCredentials({ tokenType: "payments", scopes: ["payments"] });
    expect(payments.accessToken).not.toBe(data.accessToken);
    expect(server.grants("client_credentials").map((r) => r.form.get("scope"))).toEqual(["payments"]);
    const app = (tokenType: string) => storeKey({ provider: "truelayer", tokenType, account: undefined });
    expect((await store.get(app("payments")))?.accessToken).toBe(payments.accessToken);
    expect((await oauth.getToken("user-1")).accessToken).toBe(data.accessToken);
  });

  it("refuses scopes of the other token type before sending anything", async () => {
    const { oauth, store } = setup();
    const error = await oauth
      // @ts-expect-error a Data API scope is not a payments scope
      .clientCredentials({ tokenType: "payments", scopes: ["accounts"] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(server.requests).toHaveLength(0);
    expect(store.size).toBe(0);
  });

  it("refuses scopes that are not a list of strings, or an unknown token type, with InvalidInputError", async () => {
    const { oauth } = setup();
    for (const options of [
      { tokenType: "payments", scopes: "payments" },
      { tokenType: "payments", scopes: [42] },
      { tokenType: "payments", scopes: null },
      { tokenType: "toString", scopes: ["payments"] },
    ]) {
      const attempt = oauth.clientCredentials(
        options as unknown as { tokenType: "payments"; scopes: ["payments"] },
      );
      await expect(attempt).rejects.toBeInstanceOf(InvalidInputError);
    }
    expect(server.requests).toHaveLength(0);
  });

  it("has no client-credentials data token: Data API v1 tokens come only from the code flow", async () => {
    const { oauth } = setup();
    // @ts-expect-error only the payments slot takes an app token
    const attempt = oauth.clientCredentials({ tokenType: "data", scopes: ["accounts"] });
    await expect(attempt).rejects.toBeInstanceOf(InvalidInputError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("client-credentials cache", () => {
  it("fetches once per token type and again only after expiry", async () => {
    const { oauth } = setup();
    const first = await oauth.clientCredentials({ tokenType: "payments", scopes: ["payments"] });
    const [second, third] = await Promise.all([
      oauth.clientCredentials({ tokenType: "payments", scopes: ["payments"] }),
      oauth.clientCredentials({ tokenType: "payments", scopes: ["payments"] }),
    ]);
    expect(second.accessToken).toBe(first.accessToken);
    expect(third.accessToken).toBe(first.accessToken);
    expect(server.grants("client_credentials")).toHaveLength(1);
    expect(first.refreshToken).toBeUndefined();

    clock = T0 + HOUR - 30_000; // inside the refresh skew: due for a new token
    const renewed = await oauth.clientCredentials({ tokenType: "payments", scopes: ["payments"] });
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(server.grants("client_credentials")).toHaveLength(2);
  });

  it("caches a token granted with fewer scopes than asked for that same request", async () => {
    const { oauth } = setup();
    server.answerNextToken(200, {
      access_token: "partial",
      expires_in: 3600,
      token_type: "Bearer",
      scope: "payments",
    });
    const scopes = ["payments", "recurring_payments:sweeping"] as const;
    const first = await oauth.clientCredentials({ tokenType: "payments", scopes });
    expect(first.scopes).toEqual(["payments"]);
    const again = await oauth.clientCredentials({ tokenType: "payments", scopes });
    expect(again.accessToken).toBe("partial");
    expect(server.grants("client_credentials")).toHaveLength(1);
  });

  it("never keeps a refresh token on an app token (it is fetched again, not refreshed)", async () => {
    const { oauth } = setup();
    server.answerNextToken(200, {
      access_token: "app",
      expires_in: 3600,
      token_type: "Bearer",
      refresh_token: "x",
    });
    const token = await oauth.clientCredentials({ tokenType: "payments", scopes: ["payments"] });
    expect(token.refreshToken).toBeUndefined();
  });
});

describe("getToken", () => {
  it("refreshes an expired data token with its refresh token and keeps the rotated one", async () => {
    const { oauth, store } = setup();
    const { token } = await connect(oauth);
    clock = T0 + HOUR;
    const fresh = await oauth.getToken("user-1");
    const [refresh] = server.grants("refresh_token");
    expect(refresh?.form.get("refresh_token")).toBe(token.refreshToken);
    expect(refresh?.form.get("client_secret")).toBe(SECRET);
    expect(fresh.accessToken).not.toBe(token.accessToken);
    expect(fresh.expiresAt).toBe(T0 + 2 * HOUR);
    const key = storeKey({ provider: "truelayer", tokenType: "data", account: "user-1" });
    expect((await store.get(key))?.refreshToken).toBe(fresh.refreshToken);
    await oauth.getToken("user-1");
    expect(server.grants("refresh_token")).toHaveLength(1);
  });

  it("throws TokenNotFoundError when nothing is stored", async () => {
    const { oauth } = setup();
    await expect(oauth.getToken("nobody")).rejects.toBeInstanceOf(TokenNotFoundError);
    expect(server.requests).toHaveLength(0);
  });

  it("throws ReauthorizationRequiredError when the token expired and no refresh token exists", async () => {
    const { oauth } = setup();
    const { token } = await connect(oauth, CODES.online); // no offline_access: no refresh token
    expect(token.refreshToken).toBeUndefined();
    clock = T0 + HOUR;
    await expect(oauth.getToken("user-1")).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(server.grants("refresh_token")).toHaveLength(0);
  });

  it("removes the grant when the refresh token is rejected", async () => {
    const { oauth, store } = setup();
    await connect(oauth);
    // What TrueLayer answers after 90 days of consent, 30 days unused, or a delete.
    server.answerNextToken(400, { error: "invalid_grant", error_description: "expired" });
    clock = T0 + HOUR;
    await expect(oauth.getToken("user-1")).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(store.size).toBe(0);
  });
});

describe("delete and /me", () => {
  it("refreshes an expired token before deleting, since the delete authenticates with it", async () => {
    const { oauth, store } = setup();
    await connect(oauth);
    clock = T0 + HOUR;
    await oauth.revoke("user-1");
    const deletes = server.requests.filter((r) => r.method === "DELETE");
    expect(deletes.map((r) => r.authorization)).toEqual(["Bearer refresh_token-access-2"]);
    expect(store.size).toBe(0);
  });

  it("keeps the token and reports TrueLayer's error when the delete fails", async () => {
    const failingDelete = (request: Request) =>
      request.method === "DELETE"
        ? Promise.resolve(
            new Response(JSON.stringify({ error: "internal_server_error", error_description: "try later" }), {
              status: 500,
              headers: { "Content-Type": "application/json" },
            }),
          )
        : fetch(request);
    const { oauth, store } = setup({ fetch: failingDelete });
    await connect(oauth);
    const error = await oauth.revoke("user-1").catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 500,
      providerCode: "internal_server_error",
      description: "try later",
    });
    expect(store.size).toBe(1);
  });

  it("asks /me on the api host and reports a connection deleted elsewhere as inactive", async () => {
    const { oauth } = setup({ apiBaseUrl: `${server.url}/api-host` });
    const { token } = await connect(oauth);
    expect(await oauth.introspect("user-1")).toMatchObject({ active: true, credentialsId: "cred-1" });
    expect(server.requests.at(-1)?.path).toBe("/api-host/data/v1/me");
    await fetch(`${server.url}/api/delete`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${token.accessToken}` },
    });
    expect(await oauth.introspect("user-1")).toEqual({ active: false, reason: "invalid_token" });
  });
});

describe("hosts", () => {
  it("resolves each environment and the overrides", () => {
    expect(truelayerHosts({ environment: "live" })).toEqual(TRUELAYER_HOSTS.live);
    expect(truelayerHosts({ environment: "sandbox" })).toEqual({
      auth: "https://auth.truelayer-sandbox.com",
      api: "https://api.truelayer-sandbox.com",
    });
    expect(truelayerHosts({ environment: "live", baseUrl: "http://mock", apiBaseUrl: "http://api" })).toEqual(
      {
        auth: "http://mock",
        api: "http://api",
      },
    );
    // @ts-expect-error the environment is required: live and sandbox credentials differ
    expect(() => truelayerHosts({})).toThrow(TypeError);
  });
});
