import { createOAuthClient, InvalidCallbackError, MemoryTokenStore } from "@partner-oauth/core";
import { guardedFetch } from "@partner-oauth/mocks";
import { oauth2 } from "@partner-oauth/oauth2";
import { consent, describe } from "./consent.mjs";

const redirectUri = "https://partner.example/oauth/acme/callback";
/** The issuer the spec's redirect example sends back in `iss` (RFC 9207). */
const issuer = "https://auth.partner.example";

/** Any standard OAuth 2.0 server through the generic package, from static metadata. */
export default {
  provider: "oauth2",
  async run({ mockUrl, step }) {
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(
      oauth2({
        id: "acme",
        clientId: "demo_client",
        clientSecret: "demo_secret_0123456789",
        redirectUri,
        // Xero-like: rotating refresh tokens with a grace window, dead after 60 days unused.
        refreshTokens: { rotating: { graceMs: 30 * 60_000 } },
        refreshTokenLifetimeMs: 60 * 86_400_000,
        metadata: {
          issuer,
          authorization_endpoint: `${mockUrl}/authorize`,
          token_endpoint: `${mockUrl}/token`,
          revocation_endpoint: `${mockUrl}/revoke`,
          introspection_endpoint: `${mockUrl}/introspect`,
          code_challenge_methods_supported: ["S256"],
          authorization_response_iss_parameter_supported: true,
        },
        fetch: guardedFetch(),
      }),
      { store },
    );

    const auth = await step("authorize URL (PKCE, from static metadata)", async () => {
      const value = await oauth.authorize({ scopes: ["read", "write"] });
      return { value, result: `${value.url.pathname}?${[...value.url.searchParams.keys()].join("&")}` };
    });
    const redirect = await step("consent (mock redirect)", async () => {
      const value = await consent(auth.url, redirectUri, auth.state, { iss: issuer });
      return { value, result: "302 to callback with code, state and iss" };
    });
    await step("a callback with another server's iss (mix-up) is refused", async () => {
      const forged = new URL(redirect.callback);
      forged.searchParams.set("iss", "https://evil.example");
      const error = await oauth
        .handleCallback(forged.toString(), {
          expectedState: auth.state,
          codeVerifier: auth.codeVerifier,
          account: "m-1",
        })
        .catch((e) => e);
      if (!(error instanceof InvalidCallbackError))
        throw new Error(`expected InvalidCallbackError, got ${error}`);
      return { result: `${error.name}, no code sent anywhere` };
    });
    await step("callback + code exchange (iss checked)", async () => {
      const token = await oauth.handleCallback(redirect.callback, {
        expectedState: auth.state,
        codeVerifier: auth.codeVerifier,
        account: "merchant-42",
      });
      return { result: describe(token) };
    });
    await step("refresh (rotating)", async () => {
      const token = await oauth.refresh("merchant-42");
      return { result: describe(token) };
    });
    await step("introspection (RFC 7662)", async () => {
      const info = await oauth.introspect("merchant-42");
      return { result: `active ${info.active}` };
    });
    await step("sweep (keeps the 60-day refresh token alive)", async () => {
      const { refreshDueAt } = await oauth.getToken("merchant-42");
      const report = await oauth.sweep({ before: refreshDueAt });
      if (report.refreshed.length !== 1) throw new Error(`sweep refreshed ${report.refreshed.length} grants`);
      const days = Math.round((refreshDueAt - Date.now()) / 86_400_000);
      return { result: `due in ${days} days; a sweep then refreshed 1 grant` };
    });
    await step("revoke (RFC 7009)", async () => {
      await oauth.revoke("merchant-42");
      return { result: `revoked; ${store.size} token(s) left in store` };
    });
  },
};
