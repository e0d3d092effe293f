import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { guardedFetch, violationGuard } from "@partner-oauth/mocks";
import { createOpenCollectiveGraphQLClient, fetchMe, opencollective } from "@partner-oauth/opencollective";
import { consent, describe } from "./consent.mjs";

const redirectUri = "https://partner.example/oauth/opencollective/callback";

export default {
  provider: "opencollective",
  async run({ mockUrl, step }) {
    const provider = opencollective({
      clientId: "demo_client",
      clientSecret: "demo_secret",
      redirectUri,
      environment: "staging",
      baseUrl: mockUrl,
    });
    provider.client.use(violationGuard);
    const store = new MemoryTokenStore();
    const oauth = createOAuthClient(provider, { store });

    const auth = await step("authorize URL (no PKCE: the documented flow)", async () => {
      const value = await oauth.authorize({ scopes: ["email", "account"] });
      return { value, result: `${value.url.pathname}?${[...value.url.searchParams.keys()].join("&")}` };
    });
    const redirect = await step("consent (mock redirect)", async () => {
      const value = await consent(auth.url, redirectUri, auth.state);
      return { value, result: "302 to callback with code + state" };
    });
    await step("callback + code exchange", async () => {
      const token = await oauth.handleCallback(redirect.callback, {
        expectedState: auth.state,
        codeVerifier: auth.codeVerifier,
        account: "merchant-42",
      });
      return { result: describe(token) };
    });
    await step("GraphQL me (bearer middleware)", async () => {
      // guardedFetch, not middleware: it also checks the request bearerAuth replays after a 401.
      const graphql = createOpenCollectiveGraphQLClient({
        oauth,
        account: "merchant-42",
        fetch: guardedFetch(),
      });
      const me = await fetchMe(graphql);
      return { result: `user ${me.id} (${me.name}, email ${me.email ? "granted" : "not granted"})` };
    });
    await step("refresh (rotating refresh token)", async () => {
      const token = await oauth.refresh("merchant-42");
      return { result: describe(token) };
    });
  },
};
