// @partner-oauth/gocardless + @partner-oauth/core: authorize, callback + exchange, lookup, revoke.
// Refresh: not applicable (GoCardless access tokens never expire and there are no refresh tokens;
// `oauth.refresh` does not exist for this provider). getToken stands in for "get a usable token".
import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { gocardless } from "@partner-oauth/gocardless";

const oauth = createOAuthClient(
  gocardless({
    clientId: process.env.GC_CLIENT_ID,
    clientSecret: process.env.GC_CLIENT_SECRET,
    redirectUri: "https://partner.example/gc/callback",
    environment: "sandbox",
  }),
  { store: new MemoryTokenStore() },
);

export function authorize() {
  return oauth.authorize({ scopes: ["read_write"], initialView: "signup" });
}

export function callback(url, state, account) {
  return oauth.handleCallback(url, { expectedState: state, account });
}

export async function use(account) {
  const { accessToken } = await oauth.getToken(account);
  const info = await oauth.introspect(account);
  return { accessToken, active: info.active };
}

export function disconnect(account) {
  return oauth.revoke(account);
}
