import { InvalidGrantError } from "../errors.js";
import type { ProviderAdapter, RefreshCapability } from "../provider.js";
import { refreshing } from "../refreshing.js";

/**
 * An in-process provider with single-use refresh tokens, for running a store under the facade: a
 * refresh (taking `delayMs`) kills the refresh token it used, and a dead one gets `invalid_grant`,
 * like Braintree or TrueLayer. `refreshes()` counts the successful ones; `live()` is the one live
 * refresh token, which the store must end up holding.
 */
export function singleUseProvider(delayMs = 20) {
  let live = "refresh-0";
  let refreshes = 0;
  const provider: ProviderAdapter<unknown, "default"> & RefreshCapability = {
    id: "single-use",
    codeFlowTokenType: "default",
    pkce: "none",
    refreshTokens: "single-use",
    authorizationUrl: () => new URL("https://provider.example/authorize"),
    exchangeCode: async () => {
      throw new Error("not used");
    },
    refreshing,
    async refreshToken(token) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (token.refreshToken !== live) {
        throw new InvalidGrantError({ operation: "refresh", provider: "single-use", code: "invalid_grant" });
      }
      refreshes++;
      live = `refresh-${refreshes}`;
      return {
        accessToken: `access-${refreshes}`,
        tokenType: "Bearer",
        refreshToken: live,
        expiresAt: Date.now() + 3_600_000,
        scopes: ["read"],
        raw: {},
      };
    },
  };
  return { provider, refreshes: () => refreshes, live: () => live };
}
