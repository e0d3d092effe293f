import {
  asObject,
  expiresAtFromSeconds,
  FORM_HEADERS,
  formBody,
  noteDeliveredRefreshToken,
  oauthErrorFromBody,
  optionalString,
  type ProviderAdapter,
  type RefreshCapability,
  type RequestContext,
  type RevocationNoticeCapability,
  type RevokeCapability,
  refreshing,
  requiredString,
  revocationNotices,
  splitScopes,
  type TokenData,
} from "../../src/index.js";

type Raw = Record<string, unknown>;

/**
 * A minimal RFC 6749 adapter for the scripted server, built like the real provider adapters (plain
 * fetch instead of openapi-fetch, since the scripted server has no spec).
 */
export function testProvider(options: {
  url: string;
  now: () => number;
  clientSecret?: string;
  refreshTokenLifetimeMs?: number;
  id?: string;
}) {
  const clientSecret = options.clientSecret ?? "test-client-secret";

  async function tokenRequest(body: Record<string, string>, ctx: RequestContext): Promise<TokenData<Raw>> {
    ctx.secrets.push(clientSecret);
    const response = await fetch(`${options.url}/token`, {
      method: "POST",
      headers: FORM_HEADERS,
      body: formBody({ ...body, client_id: "test-client", client_secret: clientSecret }),
      signal: ctx.signal,
    });
    const text = await response.text();
    if (!response.ok) {
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      throw oauthErrorFromBody(ctx, response.status, parsed, response.headers);
    }
    const json = asObject(JSON.parse(text), ctx, response.status);
    noteDeliveredRefreshToken(ctx, json.refresh_token);
    return {
      accessToken: requiredString(json, "access_token", ctx),
      tokenType: requiredString(json, "token_type", ctx),
      refreshToken: optionalString(json, "refresh_token", ctx),
      expiresAt: expiresAtFromSeconds(json, "expires_in", options.now(), ctx),
      scopes: splitScopes(optionalString(json, "scope", ctx)),
      raw: json,
    };
  }

  const provider: ProviderAdapter<{ scopes: readonly string[] }, "default", Raw> &
    RefreshCapability<Raw> &
    RevokeCapability<Raw> &
    RevocationNoticeCapability = {
    id: options.id ?? "scripted",
    codeFlowTokenType: "default",
    pkce: "S256",
    refreshTokens: "single-use",
    refreshTokenLifetimeMs: options.refreshTokenLifetimeMs,
    authorizationUrl({ state, codeChallenge, options: authorize }) {
      const url = new URL("/authorize", options.url);
      url.searchParams.set("state", state);
      if (codeChallenge) url.searchParams.set("code_challenge", codeChallenge);
      url.searchParams.set("scope", authorize.scopes.join(" "));
      return url;
    },
    exchangeCode({ code, codeVerifier }, ctx) {
      return tokenRequest({ grant_type: "authorization_code", code, code_verifier: codeVerifier ?? "" }, ctx);
    },
    refreshing,
    revocationNotices,
    refreshToken(token, ctx) {
      return tokenRequest({ grant_type: "refresh_token", refresh_token: token.refreshToken ?? "" }, ctx);
    },
    async revokeToken() {},
  };
  return provider;
}
