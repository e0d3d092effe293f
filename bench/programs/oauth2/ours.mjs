// @partner-oauth/oauth2 + @partner-oauth/core: a standards-based server from static metadata
// (client_secret_basic, PKCE S256 as advertised): authorize, callback + exchange, refresh, revoke
// (RFC 7009). Discovery is left out, as the other programs configure their hosts statically too.
import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { oauth2 } from "@partner-oauth/oauth2";

const oauth = createOAuthClient(
  oauth2({
    id: "acme",
    clientId: process.env.ACME_CLIENT_ID,
    clientSecret: process.env.ACME_CLIENT_SECRET,
    redirectUri: "https://partner.example/oauth/acme/callback",
    refreshTokens: { rotating: { graceMs: 1_800_000 } },
    metadata: {
      issuer: "https://auth.partner.example",
      authorization_endpoint: "https://auth.partner.example/authorize",
      token_endpoint: "https://auth.partner.example/token",
      revocation_endpoint: "https://auth.partner.example/revoke",
      code_challenge_methods_supported: ["S256"],
    },
  }),
  { store: new MemoryTokenStore() },
);

export function authorize() {
  return oauth.authorize({ scopes: ["read", "write"] });
}

export function callback(url, state, codeVerifier, account) {
  return oauth.handleCallback(url, { expectedState: state, codeVerifier, account });
}

export async function use(account) {
  const { accessToken } = await oauth.getToken(account); // refreshes within the skew window
  const forced = await oauth.refresh(account);
  return { accessToken, refreshed: forced.accessToken };
}

export function disconnect(account) {
  return oauth.revoke(account);
}
