// The mocked lifecycle of all five providers and the generic OAuth 2.0 adapter, written for every
// runtime: it imports only the published packages and uses nothing but fetch, URL, Web Crypto and
// AbortSignal (no `node:`, no process, no file system), so Node, Bun and Deno run it as it is and
// workerd and edge-runtime run it bundled. The mocks' URLs come in as an argument; the result is plain data the harness checks.
import { braintree } from "@partner-oauth/braintree";
import { createOAuthClient, encryptedStore, MemoryTokenStore, storeKey } from "@partner-oauth/core";
import { gocardless } from "@partner-oauth/gocardless";
import { oauth2 } from "@partner-oauth/oauth2";
import { createOpenCollectiveGraphQLClient, fetchMe, opencollective } from "@partner-oauth/opencollective";
import { square } from "@partner-oauth/square";
import { truelayer } from "@partner-oauth/truelayer";

const TIMEOUT_MS = 10_000;

/** Fails a call Prism flagged with `sl-violations`, and asks for a documented example with `Prefer`. */
function mockFetch(prefer) {
  return async (input, init) => {
    const request = new Request(input, init);
    if (prefer) request.headers.set("Prefer", prefer);
    const response = await fetch(request);
    const violations = response.headers.get("sl-violations");
    if (violations)
      throw new Error(`${request.method} ${new URL(request.url).pathname} violates the spec: ${violations}`);
    return response;
  };
}

/**
 * The provider's consent page as the mock plays it: Prism validates the authorization URL against the
 * spec and answers with the documented redirect, which carries a code (and Braintree's merchant id).
 */
async function consent(url, redirectUri, state) {
  const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
  const violations = response.headers.get("sl-violations");
  if (violations) throw new Error(`authorization URL violates the spec: ${violations}`);
  const location = response.headers.get("location");
  await response.body?.cancel();
  if (response.status !== 302 || !location) throw new Error(`authorization page answered ${response.status}`);
  const redirect = new URL(location);
  const code = redirect.searchParams.get("code");
  if (!code) throw new Error("the mock's redirect carries no code");
  const callback = new URL(redirectUri);
  callback.searchParams.set("code", code);
  callback.searchParams.set("state", state);
  // Further parameters some redirects carry: Braintree's merchant id, RFC 9207's issuer.
  for (const name of ["merchantId", "iss"]) {
    const value = redirect.searchParams.get(name);
    if (value) callback.searchParams.set(name, value);
  }
  return callback.toString();
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const common = { clientSecret: "runtime-matrix-secret", environment: "sandbox" };

/** Per provider: its client(s) and the steps after authorize → consent → exchange. */
const providers = {
  gocardless(baseUrl) {
    const redirectUri = "https://partner.example/gc/callback";
    const make = () =>
      gocardless({ ...common, clientId: "runtime_client", redirectUri, baseUrl, fetch: mockFetch() });
    const store = new MemoryTokenStore();
    return {
      redirectUri,
      oauth: createOAuthClient(make(), { store }),
      authorize: { scopes: ["read_write"], initialView: "signup" },
      async refresh(oauth) {
        // GoCardless tokens never expire and have no refresh token: the lookup stands in for it.
        const info = await oauth.introspect("merchant-42");
        check(info.active === true, "creditor lookup says inactive");
        return "no refresh at GoCardless; creditor lookup active";
      },
      async end(oauth) {
        await oauth.revoke("merchant-42");
        check(store.size === 0, "token still stored after revoke");
        return "revoked";
      },
    };
  },
  truelayer(baseUrl) {
    const redirectUri = "https://partner.example/truelayer/callback";
    const store = new MemoryTokenStore();
    const options = { ...common, clientId: "sandbox-runtime", redirectUri, baseUrl };
    const oauth = createOAuthClient(truelayer({ ...options, fetch: mockFetch() }), { store });
    const app = createOAuthClient(
      truelayer({ ...options, fetch: mockFetch("code=200, example=client_credentials") }),
      { store },
    );
    return {
      redirectUri,
      oauth,
      authorize: { scopes: ["info", "accounts", "offline_access"], providers: ["uk-cs-mock"] },
      async refresh(oauth) {
        const token = await oauth.refresh("merchant-42");
        check(token.accessToken.length > 0, "no access token after refresh");
        const appToken = await app.clientCredentials({ tokenType: "payments", scopes: ["payments"] });
        check(appToken.scopes.includes("payments"), "client-credentials token lacks payments");
        return "refreshed; client credentials (payments)";
      },
      async end(oauth) {
        await oauth.revoke("merchant-42");
        return `credential deleted; ${store.size} app token left`;
      },
    };
  },
  square(baseUrl) {
    const redirectUri = "https://partner.example/square/callback";
    const store = new MemoryTokenStore();
    const make = (prefer) =>
      createOAuthClient(
        square({ ...common, clientId: "sq0idp-runtime", redirectUri, baseUrl, fetch: mockFetch(prefer) }),
        { store },
      );
    return {
      redirectUri,
      oauth: make(),
      authorize: { scopes: ["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE"], session: false },
      async refresh() {
        const token = await make("code=200, example=refresh").refresh("merchant-42");
        check(token.accessToken.length > 0, "no access token after refresh");
        return "refreshed (code flow)";
      },
      async end(oauth) {
        await oauth.revoke("merchant-42");
        check(store.size === 0, "token still stored after revoke");
        return "revoked";
      },
    };
  },
  braintree(baseUrl) {
    const redirectUri = "https://partner.example/braintree/callback";
    // Braintree's grant runs through encryptedStore: AES-GCM by the runtime's own Web Crypto.
    const store = new MemoryTokenStore();
    const keys = [{ id: "runtime-key", key: crypto.getRandomValues(new Uint8Array(32)) }];
    const key = storeKey({ provider: "braintree", tokenType: "default", account: "merchant-42" });
    const make = (prefer) =>
      createOAuthClient(
        braintree({
          ...common,
          clientId: "client_id$sandbox$runtime",
          clientSecret: "client_secret$sandbox$runtime",
          redirectUri,
          baseUrl,
          fetch: mockFetch(prefer),
        }),
        { store: encryptedStore(store, { keys }) },
      );
    return {
      redirectUri,
      oauth: make(),
      authorize: { scopes: ["read_write"], landingPage: "signup" },
      async refresh(oauth) {
        const before = (await oauth.getToken("merchant-42")).refreshToken;
        const token = await make("example=refresh_token").refresh("merchant-42");
        check(token.refreshToken !== before, "refresh token was not rotated");
        const atRest = JSON.stringify(await store.get(key));
        check(atRest.includes('"poe1.runtime-key.'), "the stored record is not encrypted");
        check(
          !atRest.includes(token.accessToken) && !atRest.includes(token.refreshToken),
          "a token is stored in clear",
        );
        return "refreshed (rotated refresh token; encrypted at rest)";
      },
      async end(oauth) {
        await oauth.revoke("merchant-42");
        check(store.size === 0, "token still stored after revoke");
        return "revoked";
      },
    };
  },
  opencollective(baseUrl) {
    const redirectUri = "https://partner.example/oauth/opencollective/callback";
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(
      opencollective({
        ...common,
        environment: "staging",
        clientId: "runtime_client",
        redirectUri,
        baseUrl,
        fetch: mockFetch(),
      }),
      { store },
    );
    return {
      redirectUri,
      oauth,
      authorize: { scopes: ["email", "account"] },
      async refresh(oauth) {
        const token = await oauth.refresh("merchant-42");
        check(token.accessToken.length > 0, "no access token after refresh");
        return "refreshed";
      },
      async end(oauth) {
        // No revoke endpoint at Open Collective: an authenticated GraphQL call, then forget.
        const graphql = createOpenCollectiveGraphQLClient({
          oauth,
          account: "merchant-42",
          fetch: mockFetch(),
        });
        const me = await fetchMe(graphql);
        check(typeof me.id === "string", "GraphQL me has no id");
        await oauth.forget("merchant-42");
        check(store.size === 0, "token still stored after forget");
        return "GraphQL me (bearer middleware), then forgotten";
      },
    };
  },
  oauth2(baseUrl) {
    // The generic adapter from static metadata naming the mock's endpoints; the issuer is the one
    // the spec's redirect example carries in `iss` (checked, since the metadata advertises it).
    const redirectUri = "https://partner.example/oauth/callback";
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(
      oauth2({
        id: "standard",
        clientId: "runtime-client",
        clientSecret: common.clientSecret,
        redirectUri,
        refreshTokens: { rotating: { graceMs: 60_000 } },
        metadata: {
          issuer: "https://auth.partner.example",
          authorization_endpoint: `${baseUrl}/authorize`,
          token_endpoint: `${baseUrl}/token`,
          revocation_endpoint: `${baseUrl}/revoke`,
          introspection_endpoint: `${baseUrl}/introspect`,
          code_challenge_methods_supported: ["S256"],
          authorization_response_iss_parameter_supported: true,
        },
        fetch: mockFetch(),
      }),
      { store },
    );
    return {
      redirectUri,
      oauth,
      authorize: { scopes: ["read", "write"] },
      async refresh(oauth) {
        const token = await oauth.refresh("merchant-42");
        check(token.accessToken.length > 0, "no access token after refresh");
        const info = await oauth.introspect("merchant-42");
        check(info.active === true, "introspection says inactive");
        return "refreshed; introspection active";
      },
      async end(oauth) {
        await oauth.revoke("merchant-42");
        check(store.size === 0, "token still stored after revoke");
        return "revoked (RFC 7009)";
      },
    };
  },
};

export const PROVIDERS = Object.keys(providers);

/**
 * Runs every provider's lifecycle against its mock (`mockUrls[provider]`): authorize URL → consent →
 * callback + exchange → getToken → refresh → sweep → revoke. Returns one row per step; a failed step ends
 * its provider's lifecycle and names the error (type and message, which never hold secrets).
 */
export async function runLifecycles(mockUrls) {
  const rows = [];
  for (const name of PROVIDERS) {
    const setup = providers[name](mockUrls[name]);
    const { oauth } = setup;
    let auth;
    let callback;
    const steps = [
      [
        "authorize URL",
        async () => {
          auth = await oauth.authorize(setup.authorize);
          check(auth.url instanceof URL && auth.state.length > 0, "no URL or state");
          return auth.url.pathname;
        },
      ],
      [
        "consent",
        async () => {
          callback = await consent(auth.url, setup.redirectUri, auth.state);
          return "302 with a code";
        },
      ],
      [
        "callback + exchange",
        async () => {
          const token = await oauth.handleCallback(callback, {
            expectedState: auth.state,
            codeVerifier: auth.codeVerifier,
            account: "merchant-42",
          });
          check(token.accessToken.length > 0, "no access token");
          return `${token.tokenType} token`;
        },
      ],
      [
        "getToken",
        async () => {
          const token = await oauth.getToken("merchant-42");
          check(token.accessToken.length > 0, "no access token");
          return "served from the store";
        },
      ],
      ["refresh", () => setup.refresh(oauth)],
      [
        "sweep",
        async () => {
          // GoCardless has no refresh, so no sweep; the others refresh what falls due within 400 days.
          if (typeof oauth.sweep !== "function") return "no sweep (no refresh tokens)";
          const report = await oauth.sweep({ before: Date.now() + 400 * 86_400_000, maxPerSecond: 1_000 });
          const trouble = [...report.failed, ...report.dead].map((g) => g.error.name);
          check(
            trouble.length === 0 && !report.stopped,
            `sweep: ${trouble.join(", ")} ${report.stopped?.reason ?? ""}`,
          );
          // Square's code flow keeps one reusable refresh token, which never falls due.
          const expected = oauth.provider.refreshTokenLifetimeMs ? 1 : 0;
          check(
            report.refreshed.length === expected,
            `sweep refreshed ${report.refreshed.length}, not ${expected}`,
          );
          return `${report.refreshed.length} refreshed`;
        },
      ],
      ["revoke", () => setup.end(oauth)],
    ];
    for (const [step, run] of steps) {
      try {
        rows.push({ provider: name, step, ok: true, detail: await run() });
      } catch (error) {
        rows.push({
          provider: name,
          step,
          ok: false,
          detail: `${error?.name ?? "Error"}: ${error?.message ?? error}`,
        });
        break;
      }
    }
  }
  return rows;
}
