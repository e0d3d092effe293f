// @partner-oauth/opencollective + @partner-oauth/core: authorize (PKCE), callback + exchange, refresh.
// Revoke: not applicable (Open Collective has no REST revoke endpoint, only a GraphQL mutation;
// the adapter has no revoke capability). `forget` drops the token locally instead.
import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { opencollective } from "@partner-oauth/opencollective";

const oauth = createOAuthClient(
  opencollective({
    clientId: process.env.OC_CLIENT_ID,
    clientSecret: process.env.OC_CLIENT_SECRET,
    redirectUri: "https://partner.example/oauth/opencollective/callback",
    environment: "staging",
  }),
  { store: new MemoryTokenStore() },
);

export function authorize() {
  return oauth.authorize({ scopes: ["email", "account"] });
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
  return oauth.forget(account);
}
