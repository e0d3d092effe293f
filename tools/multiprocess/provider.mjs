import {
  asObject,
  expiresAtFromSeconds,
  FORM_HEADERS,
  formBody,
  noteDeliveredRefreshToken,
  oauthErrorFromBody,
  refreshing,
  requiredString,
} from "@partner-oauth/core";

/**
 * An adapter for the rotating token server, built like the real ones. `worker` names the process in
 * a header, so the server's hooks know whose request they hold; `id` and `refreshTokenLifetimeMs`
 * let one server stand for several providers (the sweep rounds).
 */
export function rotatingProvider({ url, worker, id = "stress", refreshTokenLifetimeMs }) {
  return {
    id,
    codeFlowTokenType: "default",
    pkce: "none",
    refreshTokens: "single-use",
    refreshTokenLifetimeMs,
    authorizationUrl: ({ state }) => new URL(`/authorize?state=${state}`, url),
    async exchangeCode() {
      throw new Error("the stress server has no code flow");
    },
    refreshing,
    async refreshToken(token, ctx) {
      const response = await fetch(`${url}/token`, {
        method: "POST",
        headers: { ...FORM_HEADERS, "x-worker": worker },
        body: formBody({ grant_type: "refresh_token", refresh_token: token.refreshToken }),
        signal: ctx.signal,
      });
      const json = await response.json();
      if (!response.ok) throw oauthErrorFromBody(ctx, response.status, json, response.headers);
      const body = asObject(json, ctx, response.status);
      noteDeliveredRefreshToken(ctx, body.refresh_token);
      return {
        accessToken: requiredString(body, "access_token", ctx),
        tokenType: requiredString(body, "token_type", ctx),
        refreshToken: requiredString(body, "refresh_token", ctx),
        expiresAt: expiresAtFromSeconds(body, "expires_in", Date.now(), ctx),
        scopes: [],
        raw: body,
      };
    },
  };
}
