// @partner-oauth/truelayer + @partner-oauth/core: authorize (PKCE), callback + exchange, refresh, revoke.
import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { truelayer } from "@partner-oauth/truelayer";

const oauth = createOAuthClient(
  truelayer({
    clientId: process.env.TL_CLIENT_ID,
    clientSecret: process.env.TL_CLIENT_SECRET,
    redirectUri: "https://partner.example/truelayer/callback",
    environment: "sandbox",
  }),
  { store: new MemoryTokenStore() },
);

export function authorize() {
  return oauth.authorize({ scopes: ["info", "accounts", "offline_access"], providers: ["uk-ob-all"] });
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
