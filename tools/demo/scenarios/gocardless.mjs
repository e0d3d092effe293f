import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { gocardless } from "@partner-oauth/gocardless";
import { violationGuard } from "@partner-oauth/mocks";
import { consent, describe } from "./consent.mjs";

const redirectUri = "https://partner.example/gc/callback";

export default {
  provider: "gocardless",
  async run({ mockUrl, step }) {
    const provider = gocardless({
      clientId: "demo_client",
      clientSecret: "demo_secret",
      redirectUri,
      environment: "sandbox",
      baseUrl: mockUrl,
    });
    provider.client.use(violationGuard);
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(provider, { store });

    const auth = await step("authorize URL", async () => {
      const value = await oauth.authorize({
        scopes: ["read_write"],
        initialView: "signup",
        prefill: { email: "owner@shop.example" },
      });
      return { value, result: `${value.url.pathname}?${[...value.url.searchParams.keys()].join("&")}` };
    });
    const redirect = await step("consent (mock redirect)", async () => {
      const value = await consent(auth.url, redirectUri, auth.state);
      return { value, result: "302 to callback with code + state" };
    });
    await step("callback + code exchange", async () => {
      const token = await oauth.handleCallback(redirect.callback, {
        expectedState: auth.state,
        account: "merchant-42",
      });
      return { result: describe(token) };
    });
    await step("lookup (creditor probe)", async () => {
      const info = await oauth.introspect("merchant-42");
      return {
        result: `active=${info.active}, creditor ${info.creditor?.id} (${info.creditor?.verification_status})`,
      };
    });
    await step("revoke", async () => {
      await oauth.revoke("merchant-42");
      return { result: `revoked; ${store.size} token(s) left in store` };
    });
  },
};
