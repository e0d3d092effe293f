// arctic (generic OAuth2Client) with PKCE, as its docs show. Open Collective wants comma-separated
// scopes. Revoke: not applicable (no REST revoke endpoint; ours has none either).
import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client } from "arctic";

const host = "https://staging.opencollective.com";
const client = new OAuth2Client(
  process.env.OC_CLIENT_ID,
  process.env.OC_CLIENT_SECRET,
  "https://partner.example/oauth/opencollective/callback",
);

export function authorize() {
  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const url = client.createAuthorizationURLWithPKCE(
    `${host}/oauth/authorize`,
    state,
    CodeChallengeMethod.S256,
    codeVerifier,
    ["email,account"],
  );
  return { url, state, codeVerifier };
}

export async function callback(url, expectedState, codeVerifier) {
  const params = new URL(url).searchParams;
  if (params.get("state") !== expectedState) throw new Error("state mismatch");
  return client.validateAuthorizationCode(`${host}/oauth/token`, params.get("code"), codeVerifier);
}

export function refresh(refreshToken) {
  return client.refreshAccessToken(`${host}/oauth/token`, refreshToken, []);
}
