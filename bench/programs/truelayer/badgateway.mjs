// @badgateway/oauth2-client with PKCE, as its docs show; OAuth2Fetch keeps the token fresh. TrueLayer's
// "revoke" is DELETE /api/delete with the bearer token (not RFC 7009), so it is a hand-written fetch.
import { generateCodeVerifier, OAuth2Client, OAuth2Fetch } from "@badgateway/oauth2-client";

const client = new OAuth2Client({
  server: "https://auth.truelayer-sandbox.com",
  clientId: process.env.TL_CLIENT_ID,
  clientSecret: process.env.TL_CLIENT_SECRET,
  authorizationEndpoint: "/",
  tokenEndpoint: "/connect/token",
  authenticationMethod: "client_secret_post",
});
const redirectUri = "https://partner.example/truelayer/callback";

export async function authorize() {
  const state = crypto.randomUUID();
  const codeVerifier = await generateCodeVerifier();
  const url = await client.authorizationCode.getAuthorizeUri({
    redirectUri,
    state,
    codeVerifier,
    scope: ["info", "accounts", "offline_access"],
    extraParams: { providers: "uk-ob-all" },
  });
  return { url, state, codeVerifier };
}

export function callback(url, state, codeVerifier) {
  return client.authorizationCode.getTokenFromCodeRedirect(url, { redirectUri, state, codeVerifier });
}

export function session(stored, save) {
  const wrapper = new OAuth2Fetch({
    client,
    getNewToken: () => null,
    getStoredToken: () => stored,
    storeToken: save,
  });
  return { getToken: () => wrapper.getToken(), refresh: () => wrapper.refreshToken() };
}

export async function disconnect(token) {
  const response = await fetch("https://auth.truelayer-sandbox.com/api/delete", {
    method: "DELETE",
    headers: { Authorization: `Bearer ${token.accessToken}` },
  });
  if (!response.ok && response.status !== 401) throw new Error(`delete failed: ${response.status}`);
}
