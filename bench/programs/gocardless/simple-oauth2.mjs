// simple-oauth2 (AuthorizationCode), as its docs show. GoCardless has no refresh tokens, so refresh is
// not applicable; revoke uses accessToken.revoke("access_token").
import { AuthorizationCode } from "simple-oauth2";

const client = new AuthorizationCode({
  client: { id: process.env.GC_CLIENT_ID, secret: process.env.GC_CLIENT_SECRET },
  auth: {
    tokenHost: "https://connect-sandbox.gocardless.com",
    tokenPath: "/oauth/access_token",
    authorizePath: "/oauth/authorize",
    revokePath: "/oauth/revoke",
  },
  options: { authorizationMethod: "body" },
});
const redirectUri = "https://partner.example/gc/callback";

export function authorize() {
  const state = crypto.randomUUID();
  const url = client.authorizeURL({
    redirect_uri: redirectUri,
    scope: "read_write",
    state,
    initial_view: "signup",
  });
  return { url, state };
}

export async function callback(url, expectedState) {
  const params = new URL(url).searchParams;
  if (params.get("state") !== expectedState) throw new Error("state mismatch");
  return client.getToken({ code: params.get("code"), redirect_uri: redirectUri });
}

export function disconnect(accessToken) {
  return accessToken.revoke("access_token");
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
