// simple-oauth2 (AuthorizationCode), as its docs show; no PKCE helper, so the S256 challenge is
// computed with node:crypto. Revoke: not applicable (no REST revoke endpoint; ours has none either).
import { createHash, randomBytes } from "node:crypto";
import { AuthorizationCode } from "simple-oauth2";

const client = new AuthorizationCode({
  client: { id: process.env.OC_CLIENT_ID, secret: process.env.OC_CLIENT_SECRET },
  auth: { tokenHost: "https://staging.opencollective.com", tokenPath: "/oauth/token" },
  options: { authorizationMethod: "body", scopeSeparator: "," },
});
const redirectUri = "https://partner.example/oauth/opencollective/callback";

export function authorize() {
  const state = randomBytes(16).toString("base64url");
  const codeVerifier = randomBytes(32).toString("base64url");
  const url = client.authorizeURL({
    redirect_uri: redirectUri,
    scope: ["email", "account"],
    state,
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
