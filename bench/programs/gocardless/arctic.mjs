// arctic (generic OAuth2Client), as its docs show. GoCardless has no PKCE and no refresh tokens, so
// refresh is not applicable. Note: arctic always sends client credentials with HTTP Basic when a
// secret is given (no option for client_secret_post, which GoCardless documents).
import { OAuth2Client } from "arctic";

const connect = "https://connect-sandbox.gocardless.com";
const client = new OAuth2Client(
  process.env.GC_CLIENT_ID,
  process.env.GC_CLIENT_SECRET,
  "https://partner.example/gc/callback",
);

export function authorize() {
  const state = crypto.randomUUID();
  const url = client.createAuthorizationURL(`${connect}/oauth/authorize`, state, ["read_write"]);
  url.searchParams.set("initial_view", "signup");
  return { url, state };
}

export async function callback(url, expectedState) {
  const params = new URL(url).searchParams;
  if (params.get("state") !== expectedState) throw new Error("state mismatch");
  const tokens = await client.validateAuthorizationCode(
    `${connect}/oauth/access_token`,
    params.get("code"),
    null,
  );
  return { accessToken: tokens.accessToken(), organisationId: tokens.data.organisation_id };
}

export function disconnect(accessToken) {
  return client.revokeToken(`${connect}/oauth/revoke`, accessToken);
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
