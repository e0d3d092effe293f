// @badgateway/oauth2-client with PKCE, as its docs show; OAuth2Fetch keeps the token fresh.
// Revoke: not applicable (no REST revoke endpoint; ours has none either).
import { generateCodeVerifier, OAuth2Client, OAuth2Fetch } from "@badgateway/oauth2-client";

const client = new OAuth2Client({
  server: "https://staging.opencollective.com",
  clientId: process.env.OC_CLIENT_ID,
  clientSecret: process.env.OC_CLIENT_SECRET,
  authorizationEndpoint: "/oauth/authorize",
  tokenEndpoint: "/oauth/token",
  authenticationMethod: "client_secret_post",
});
const redirectUri = "https://partner.example/oauth/opencollective/callback";

export async function authorize() {
  const state = crypto.randomUUID();
  const codeVerifier = await generateCodeVerifier();
  const url = await client.authorizationCode.getAuthorizeUri({
    redirectUri,
    state,
    codeVerifier,
    scope: ["email,account"],
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
