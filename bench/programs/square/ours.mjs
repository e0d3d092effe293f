// @partner-oauth/square + @partner-oauth/core: authorize (code flow), callback + exchange, refresh, revoke.
import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { square } from "@partner-oauth/square";

const oauth = createOAuthClient(
  square({
    clientId: process.env.SQUARE_CLIENT_ID,
    clientSecret: process.env.SQUARE_CLIENT_SECRET,
    redirectUri: "https://partner.example/square/callback",
    environment: "sandbox",
  }),
  { store: new MemoryTokenStore() },
);

export function authorize() {
  return oauth.authorize({ scopes: ["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE"], session: false });
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
