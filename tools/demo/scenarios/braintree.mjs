import { braintree } from "@partner-oauth/braintree";
import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { violationGuard, withPrefer } from "@partner-oauth/mocks";
import { consent, describe } from "./consent.mjs";

const redirectUri = "https://partner.example/braintree/callback";

export default {
  provider: "braintree",
  async run({ mockUrl, step }) {
    const store = new MemoryTokenStore();
    // The mock answers a refresh with the code example unless asked for the rotated-token example.
    const client = (prefer) => {
      const provider = braintree({
        clientId: "client_id$sandbox$demo_client",
        clientSecret: "client_secret$sandbox$demo_secret",
        redirectUri,
        environment: "sandbox",
        baseUrl: mockUrl,
        ...(prefer ? { fetch: withPrefer(prefer) } : {}),
      });
      provider.client.use(violationGuard);
      return createOAuthClient(provider, { store });
    };
    const oauth = client();
    const rotating = client("example=refresh_token");

    const auth = await step("connect URL", async () => {
      const value = await oauth.authorize({
        scopes: ["read_write", "shared_vault_transactions"],
        landingPage: "signup",
        user: { email: "owner@shop.example" },
        paymentMethods: ["credit_card", "paypal"],
      });
      return {
        value,
        result: `${value.url.pathname}?${[...new Set(value.url.searchParams.keys())].join("&")}`,
      };
    });
    const redirect = await step("consent (mock redirect)", async () => {
      // Braintree's redirect carries the merchant's id next to the code: take it from the mock's Location.
      const preview = await fetch(auth.url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
      const merchantId = new URL(preview.headers.get("location") ?? redirectUri).searchParams.get(
        "merchantId",
      );
      if (!merchantId) throw new Error("mock redirect carries no merchantId");
      const value = await consent(auth.url, redirectUri, auth.state, { merchantId });
      return { value, result: `302 to callback with code + merchantId ${merchantId} + state` };
    });
    const first = await step("callback + code exchange", async () => {
      const value = await oauth.handleCallback(redirect.callback, {
        expectedState: auth.state,
        account: "merchant-42",
      });
      return { value, result: describe(value) };
    });
    await step("refresh (rotating refresh token)", async () => {
      const token = await rotating.refresh("merchant-42");
      if (token.refreshToken === first.refreshToken) throw new Error("refresh token was not rotated");
      return { result: `new refresh token stored; ${describe(token)}` };
    });
    await step("revoke", async () => {
      await oauth.revoke("merchant-42");
      return { result: `revoked; ${store.size} token(s) left in store` };
    });
  },
};
