// @partner-oauth/braintree + @partner-oauth/core: connect URL, callback + exchange, refresh, revoke.
import { braintree } from "@partner-oauth/braintree";
import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";

const oauth = createOAuthClient(
  braintree({
    clientId: process.env.BT_CLIENT_ID,
    clientSecret: process.env.BT_CLIENT_SECRET,
    redirectUri: "https://partner.example/braintree/callback",
    environment: "sandbox",
  }),
  { store: new MemoryTokenStore() },
);

export function authorize() {
  return oauth.authorize({ scopes: ["read_write"], landingPage: "signup" });
}

export function callback(url, state, account) {
  return oauth.handleCallback(url, { expectedState: state, account });
}

export async function use(account) {
  const { accessToken } = await oauth.getToken(account); // refreshes within the skew window
  const forced = await oauth.refresh(account);
  return { accessToken, refreshed: forced.accessToken };
}

export function disconnect(account) {
  return oauth.revoke(account);
}
