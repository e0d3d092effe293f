import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { violationGuard, withPrefer } from "@partner-oauth/mocks";
import { square } from "@partner-oauth/square";
import { consent, describe } from "./consent.mjs";

const redirectUri = "https://partner.example/square/callback";
const account = "merchant-42";

export default {
  provider: "square",
  async run({ mockUrl, step }) {
    const store = new MemoryTokenStore();
    // With the secret the adapter uses Square's code flow (no PKCE), which Prism's first examples
    // answer: the exchange, then a refresh that returns the same, reusable refresh token.
    const adapter = (prefer) => {
      const provider = square({
        clientId: "sq0idp-demo",
        clientSecret: "sq0csp-demo-secret",
        redirectUri,
        environment: "sandbox",
        baseUrl: mockUrl,
        ...(prefer ? { fetch: withPrefer(prefer) } : {}),
      });
      provider.client.use(violationGuard);
      return createOAuthClient(provider, { store });
    };
    const oauth = adapter();

    const auth = await step("authorize URL (code flow)", async () => {
      const value = await oauth.authorize({
        scopes: ["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE"],
        session: false,
      });
      return { value, result: `${value.url.pathname}?${[...value.url.searchParams.keys()].join("&")}` };
    });
    const redirect = await step("consent (mock redirect)", async () => {
      const value = await consent(auth.url, redirectUri, auth.state);
      return { value, result: "302 to callback with code + state" };
    });
    const first = await step("callback + code exchange", async () => {
      const value = await oauth.handleCallback(redirect.callback, {
        expectedState: auth.state,
        codeVerifier: auth.codeVerifier,
        account,
      });
      return { value, result: describe(value) };
    });
    await step("token status", async () => {
      const status = await oauth.introspect(account);
      const detail = status.active ? `scopes [${status.scopes.join(" ")}]` : status.reason;
      return { result: `active=${status.active}, merchant ${status.merchantId}, ${detail}` };
    });
    await step("refresh (code flow)", async () => {
      const token = await adapter("code=200, example=refresh").refresh(account);
      const rotated = token.refreshToken !== first.refreshToken;
      return { result: `${rotated ? "new refresh token stored" : "same refresh token"}; ${describe(token)}` };
    });
    await step("revoke", async () => {
      await oauth.revoke(account);
      return { result: `revoked; ${store.size} token(s) left in store` };
    });
  },
};
