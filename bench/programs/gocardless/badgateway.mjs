// @badgateway/oauth2-client, as its docs show. GoCardless has no refresh tokens, so refresh is not
// applicable; revoke is client.revoke(token).
import { OAuth2Client } from "@badgateway/oauth2-client";

const client = new OAuth2Client({
  server: "https://connect-sandbox.gocardless.com",
  clientId: process.env.GC_CLIENT_ID,
  clientSecret: process.env.GC_CLIENT_SECRET,
  authorizationEndpoint: "/oauth/authorize",
  tokenEndpoint: "/oauth/access_token",
  revocationEndpoint: "/oauth/revoke",
  authenticationMethod: "client_secret_post",
});
const redirectUri = "https://partner.example/gc/callback";

export async function authorize() {
  const state = crypto.randomUUID();
  const url = await client.authorizationCode.getAuthorizeUri({
    redirectUri,
    state,
    scope: ["read_write"],
    extraParams: { initial_view: "signup" },
  });
  return { url, state };
}

export function callback(url, state) {
  return client.authorizationCode.getTokenFromCodeRedirect(url, { redirectUri, state });
}

export function disconnect(token) {
  return client.revoke(token, "access_token");
}

// The creditor lookup (what the SDK program does with gocardless-nodejs): a hand-written fetch.
export async function lookup(accessToken) {
  const response = await fetch("https://api-sandbox.gocardless.com/creditors?limit=1", {
    headers: {
      Authorization: `Bearer ${accessToken}`,
      "GoCardless-Version": "2015-07-06",
      Accept: "application/json",
    },
  });
  if (response.status === 401) return { active: false };
  if (!response.ok) throw new Error(`creditor lookup failed: ${response.status}`);
  const { creditors } = await response.json();
  return { active: true, creditor: creditors[0] };
}
