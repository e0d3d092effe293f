// arctic (generic OAuth2Client) with PKCE, as its docs show. TrueLayer's "revoke" is
// DELETE /api/delete with the bearer token (not RFC 7009), so it is a hand-written fetch. Note: arctic
// sends client credentials with HTTP Basic only (TrueLayer documents them in the body).
import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client } from "arctic";

const auth = "https://auth.truelayer-sandbox.com";
const client = new OAuth2Client(
  process.env.TL_CLIENT_ID,
  process.env.TL_CLIENT_SECRET,
  "https://partner.example/truelayer/callback",
);

export function authorize() {
  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const url = client.createAuthorizationURLWithPKCE(
    `${auth}/`,
    state,
    CodeChallengeMethod.S256,
    codeVerifier,
    ["info", "accounts", "offline_access"],
  );
  url.searchParams.set("providers", "uk-ob-all");
  return { url, state, codeVerifier };
}

export async function callback(url, expectedState, codeVerifier) {
  const params = new URL(url).searchParams;
  if (params.get("state") !== expectedState) throw new Error("state mismatch");
  return client.validateAuthorizationCode(`${auth}/connect/token`, params.get("code"), codeVerifier);
}

export function refresh(refreshToken) {
  return client.refreshAccessToken(`${auth}/connect/token`, refreshToken, []);
}

export async function disconnect(accessToken) {
  const response = await fetch(`${auth}/api/delete`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  if (!response.ok && response.status !== 401) throw new Error(`delete failed: ${response.status}`);
}
