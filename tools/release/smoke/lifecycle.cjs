"use strict";
// The mocked lifecycle of the smoke test. CommonJS, so both consumers load it without relying on
// require(esm) for it; the packages' modules come from the caller, loaded by `import` or `require()`.
const assert = require("node:assert/strict");

// Stand-in for the provider's consent page: the mock answers the authorization URL with the
// documented redirect, whose code goes back to our redirect URI with our state.
async function consent(mocks, url, redirectUri, state) {
  const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  mocks.assertNoViolations(response, { method: "GET", url: url.toString() });
  const location = response.headers.get("location");
  assert.equal(response.status, 302, "the authorization page redirects");
  const code = new URL(location).searchParams.get("code");
  assert.ok(code, "the redirect carries a code");
  const callback = new URL(redirectUri);
  callback.searchParams.set("code", code);
  callback.searchParams.set("state", state);
  return callback.toString();
}

function describe(token) {
  const subject = token.subject ? ` for ${token.subject}` : "";
  const expiry =
    token.expiresAt === undefined ? "never expires" : `expires ${new Date(token.expiresAt).toISOString()}`;
  const refresh = token.refreshToken ? ", has refresh token" : "";
  return `${token.tokenType} token${subject}, ${expiry}${refresh}`;
}

const scenarios = {
  async gocardless({ core, gocardless, mocks }, url, log) {
    const redirectUri = "https://partner.example/gc/callback";
    const provider = gocardless.gocardless({
      clientId: "smoke_client",
      clientSecret: "smoke_secret",
      redirectUri,
      environment: "sandbox",
      baseUrl: url,
    });
    provider.client.use(mocks.violationGuard);
    const store = new core.MemoryTokenStore();
    const oauth = core.createOAuthClient(provider, { store });
    const auth = await oauth.authorize({ scopes: ["read_write"], initialView: "signup" });
    log("authorize", `${auth.url.pathname} with state`);
    const callback = await consent(mocks, auth.url, redirectUri, auth.state);
    log("consent", "302 to the callback with a code");
    const token = await oauth.handleCallback(callback, { expectedState: auth.state, account: "merchant-42" });
    assert.ok(!String(token).includes(token.accessToken), "toString hides the access token");
    log("handleCallback", describe(token));
    const current = await oauth.getToken("merchant-42");
    assert.equal(current.accessToken, token.accessToken);
    log("getToken", "the stored token");
    // Refresh does not compile for GoCardless, and the client has no such method at run time either.
    assert.equal("refresh" in oauth, false);
    const info = await oauth.introspect("merchant-42");
    log("introspect", `active=${info.active}, creditor ${info.creditor?.id}`);
    await oauth.revoke("merchant-42");
    assert.equal(store.size, 0);
    await assert.rejects(oauth.getToken("merchant-42"), core.TokenNotFoundError);
    log("revoke", "revoked; the store is empty, getToken throws TokenNotFoundError");
  },

  async truelayer({ core, truelayer, mocks }, url, log) {
    const redirectUri = "https://partner.example/truelayer/callback";
    const provider = truelayer.truelayer({
      clientId: "sandbox-smoke",
      clientSecret: "smoke_secret",
      redirectUri,
      environment: "sandbox",
      baseUrl: url,
    });
    provider.client.use(mocks.violationGuard);
    const store = new core.MemoryTokenStore();
    const oauth = core.createOAuthClient(provider, { store });
    const auth = await oauth.authorize({
      scopes: ["info", "accounts", "offline_access"],
      providers: ["uk-cs-mock"],
    });
    assert.ok(auth.codeVerifier, "PKCE verifier");
    log("authorize", `${auth.url.pathname} with state and PKCE challenge`);
    const callback = await consent(mocks, auth.url, redirectUri, auth.state);
    log("consent", "302 to the callback with a code");
    const token = await oauth.handleCallback(callback, {
      expectedState: auth.state,
      codeVerifier: auth.codeVerifier,
      account: "user-42",
    });
    assert.ok(token.refreshToken, "a refresh token");
    log("handleCallback", describe(token));
    const current = await oauth.getToken("user-42");
    assert.equal(current.accessToken, token.accessToken);
    log("getToken", "the stored token");
    const refreshed = await oauth.refresh("user-42");
    assert.equal(
      (await oauth.getToken("user-42")).accessToken,
      refreshed.accessToken,
      "refreshed token stored",
    );
    log("refresh", describe(refreshed));
    await oauth.revoke("user-42");
    assert.equal(store.size, 0);
    log("revoke", "connection deleted; the store is empty");
  },
};

/** Starts the installed mocks' Prism for each provider, runs the scenarios, stops the mocks. */
async function lifecycle(modules, providers, label) {
  const mocks = await Promise.all(providers.map((p) => modules.mocks.startMock(p)));
  try {
    for (const [index, name] of providers.entries()) {
      const log = (stepName, result) => console.log(`${label} ${name} ${stepName}: ${result}`);
      await scenarios[name](modules, mocks[index].url, log);
    }
  } finally {
    await Promise.all(mocks.map((m) => m.stop()));
  }
}

module.exports = { lifecycle };
