// Official `square` SDK (v46), as its README / OAuth docs show: the SDK has no authorize-URL helper
// (the docs build the URL by hand), `oAuth.obtainToken` for the code and refresh grants, and
// `oAuth.revokeToken` with the `Authorization: Client <secret>` header the endpoint requires.
import { SquareClient, SquareEnvironment } from "square";

const clientId = process.env.SQUARE_CLIENT_ID;
const clientSecret = process.env.SQUARE_CLIENT_SECRET;
const redirectUri = "https://partner.example/square/callback";
const client = new SquareClient({ environment: SquareEnvironment.Sandbox });

export function authorize() {
  const state = crypto.randomUUID();
  const url = new URL("/oauth2/authorize", SquareEnvironment.Sandbox);
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("scope", "MERCHANT_PROFILE_READ PAYMENTS_WRITE");
  url.searchParams.set("session", "false");
  url.searchParams.set("state", state);
  url.searchParams.set("redirect_uri", redirectUri);
  return { url, state };
}

export async function callback(url, expectedState) {
  const params = new URL(url).searchParams;
  if (params.get("state") !== expectedState) throw new Error("state mismatch");
  return client.oAuth.obtainToken({
    clientId,
    clientSecret,
    code: params.get("code"),
    redirectUri,
    grantType: "authorization_code",
  });
}

export function refresh(refreshToken) {
  return client.oAuth.obtainToken({ clientId, clientSecret, refreshToken, grantType: "refresh_token" });
}

export function disconnect(accessToken) {
  return client.oAuth.revokeToken(
    { clientId, accessToken },
    { headers: { Authorization: `Client ${clientSecret}` } },
  );
}
