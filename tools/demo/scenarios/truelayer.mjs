import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { violationGuard, withPrefer } from "@partner-oauth/mocks";
import { truelayer } from "@partner-oauth/truelayer";
import { consent, describe } from "./consent.mjs";

const redirectUri = "https://partner.example/truelayer/callback";

export default {
  provider: "truelayer",
  async run({ mockUrl, step }) {
    const options = {
      clientId: "sandbox-demo",
      clientSecret: "demo_secret",
      redirectUri,
      environment: "sandbox",
      baseUrl: mockUrl,
    };
    const store = new MemoryTokenStore();
    const provider = truelayer(options);
    provider.client.use(violationGuard);
    const oauth = createOAuthClient(provider, { store });
    // Prism answers every token request with the first 200 example (the code-flow one) unless told
    // otherwise: the client-credentials client asks for its own example, over the same store.
    let tokenRequests = 0;
    const counted = (input, init) => {
      tokenRequests++;
      return fetch(input, init);
    };
    const appProvider = truelayer({
      ...options,
      fetch: withPrefer("code=200, example=client_credentials", counted),
    });
    appProvider.client.use(violationGuard);
    const app = createOAuthClient(appProvider, { store });

    await step("client credentials (payments)", async () => {
      const token = await app.clientCredentials({ tokenType: "payments", scopes: ["payments"] });
      return { result: describe(token) };
    });
    await step("client credentials again (cache)", async () => {
      const before = tokenRequests;
      await app.clientCredentials({ tokenType: "payments", scopes: ["payments"] });
      if (tokenRequests !== before) throw new Error("the cached app token was fetched again");
      return { result: `served from the store, ${tokenRequests} token request in total` };
    });
    const auth = await step("authorize URL", async () => {
      const value = await oauth.authorize({
        scopes: ["info", "accounts", "balance", "transactions", "offline_access"],
        providers: ["uk-cs-mock"],
      });
      return { value, result: `${value.url.pathname}?${[...value.url.searchParams.keys()].join("&")}` };
    });
    const redirect = await step("consent (mock redirect)", async () => {
      const value = await consent(auth.url, redirectUri, auth.state);
      return { value, result: "302 to callback with code + state" };
    });
    await step("callback + code exchange (data)", async () => {
      const token = await oauth.handleCallback(redirect.callback, {
        expectedState: auth.state,
        codeVerifier: auth.codeVerifier,
        account: "user-42",
      });
      return { result: describe(token) };
    });
    await step("refresh (forced)", async () => {
      const token = await oauth.refresh("user-42");
      return { result: describe(token) };
    });
    await step("sweep (keeps the 30-day refresh window open)", async () => {
      // The grant falls due 23 days after its last refresh; a sweep run then refreshes it.
      const { refreshDueAt } = await oauth.getToken("user-42");
      const report = await oauth.sweep({ before: refreshDueAt });
      if (report.refreshed.length !== 1) throw new Error(`sweep refreshed ${report.refreshed.length} grants`);
      const days = Math.round((refreshDueAt - Date.now()) / 86_400_000);
      return { result: `due in ${days} days; a sweep then refreshed 1 grant` };
    });
    await step("metadata (/data/v1/me)", async () => {
      const info = await oauth.introspect("user-42");
      if (!info.active) throw new Error(`connection not active: ${info.reason}`);
      return { result: `active, ${info.providerName} (${info.providerId}), consent ${info.consentStatus}` };
    });
    await step("delete credential", async () => {
      await oauth.revoke("user-42");
      return { result: `deleted; ${store.size} token(s) left in store (the payments app token)` };
    });
  },
};
