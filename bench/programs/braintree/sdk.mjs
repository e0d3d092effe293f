// Official `braintree` SDK (v3), as its OAuth docs show: `gateway.oauth.connectUrl`,
// `createTokenFromCode`, `createTokenFromRefreshToken`, `revokeAccessToken`.
import braintree from "braintree";

const gateway = new braintree.BraintreeGateway({
  clientId: process.env.BT_CLIENT_ID,
  clientSecret: process.env.BT_CLIENT_SECRET,
});
const redirectUri = "https://partner.example/braintree/callback";

export function authorize() {
  const state = crypto.randomUUID();
  const url = gateway.oauth.connectUrl({ redirectUri, scope: "read_write", state, landingPage: "signup" });
  return { url, state };
}

export async function callback(url, expectedState) {
  const params = new URL(url).searchParams;
  if (params.get("state") !== expectedState) throw new Error("state mismatch");
  const result = await gateway.oauth.createTokenFromCode({ code: params.get("code") });
  return result.credentials;
}

export async function refresh(refreshToken) {
  const result = await gateway.oauth.createTokenFromRefreshToken({ refreshToken });
  return result.credentials;
}

export function disconnect(accessToken) {
  return gateway.oauth.revokeAccessToken(accessToken);
}
