// Official `gocardless-nodejs` SDK (v10). It has no OAuth support at all: GoCardless' partner guide
// has you do the OAuth requests yourself, so authorize / exchange / revoke are hand-written `fetch`
// calls here, and the SDK does the creditor lookup with the merchant's token (what our `introspect`
// does). Refresh: not applicable (GoCardless tokens never expire).
import gocardless, { Environments } from "gocardless-nodejs";

const clientId = process.env.GC_CLIENT_ID;
const clientSecret = process.env.GC_CLIENT_SECRET;
const redirectUri = "https://partner.example/gc/callback";
const connect = "https://connect-sandbox.gocardless.com";

export function authorize() {
  const state = crypto.randomUUID();
  const url = new URL("/oauth/authorize", connect);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: "read_write",
    initial_view: "signup",
    state,
  }).toString();
  return { url, state };
}

async function post(path, form) {
  const response = await fetch(new URL(path, connect), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams(form),
    redirect: "error",
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`GoCardless ${path}: ${response.status} ${body.error}`);
  return body;
}

export async function callback(url, expectedState) {
  const params = new URL(url).searchParams;
  if (params.get("state") !== expectedState) throw new Error("state mismatch");
  if (params.get("error")) throw new Error(`authorization denied: ${params.get("error")}`);
  return post("/oauth/access_token", {
    grant_type: "authorization_code",
    code: params.get("code"),
    redirect_uri: redirectUri,
    client_id: clientId,
    client_secret: clientSecret,
  });
}

export async function use(accessToken) {
  const client = gocardless(accessToken, Environments.Sandbox);
  const { creditors } = await client.creditors.list({ limit: "1" });
  return creditors[0];
}

export function disconnect(accessToken) {
  return post("/oauth/revoke", { token: accessToken, client_id: clientId, client_secret: clientSecret });
}
