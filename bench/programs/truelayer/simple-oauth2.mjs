// simple-oauth2 (AuthorizationCode), as its docs show. It has no PKCE helper: the S256 challenge is
// computed with node:crypto and passed as extra parameters. TrueLayer's "revoke" is
// DELETE /api/delete with the bearer token (not RFC 7009), so it is a hand-written fetch.
import { createHash, randomBytes } from "node:crypto";
import { AuthorizationCode } from "simple-oauth2";

const client = new AuthorizationCode({
  client: { id: process.env.TL_CLIENT_ID, secret: process.env.TL_CLIENT_SECRET },
  auth: {
    tokenHost: "https://auth.truelayer-sandbox.com",
    tokenPath: "/connect/token",
    authorizePath: "/",
  },
  options: { authorizationMethod: "body" },
});
const redirectUri = "https://partner.example/truelayer/callback";

export function authorize() {
  const state = randomBytes(16).toString("base64url");
  const codeVerifier = randomBytes(32).toString("base64url");
  const url = client.authorizeURL({
    redirect_uri: redirectUri,
    scope: ["info", "accounts", "offline_access"],
    state,
    providers: "uk-ob-all",
    code_challenge: createHash("sha256").update(codeVerifier).digest("base64url"),
    code_challenge_method: "S256",
  });
  return { url, state, codeVerifier };
}

export async function callback(url, expectedState, codeVerifier) {
  const params = new URL(url).searchParams;
  if (params.get("state") !== expectedState) throw new Error("state mismatch");
  return client.getToken({
    code: params.get("code"),
    redirect_uri: redirectUri,
    code_verifier: codeVerifier,
  });
}

export async function refresh(stored) {
  let accessToken = client.createToken(stored);
  if (accessToken.expired(60)) accessToken = await accessToken.refresh();
  return accessToken;
}

export async function disconnect(accessToken) {
  const response = await fetch("https://auth.truelayer-sandbox.com/api/delete", {
    method: "DELETE",
    headers: { Authorization: `Bearer ${accessToken.token.access_token}` },
  });
  if (!response.ok && response.status !== 401) throw new Error(`delete failed: ${response.status}`);
}
