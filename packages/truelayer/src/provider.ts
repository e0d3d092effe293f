import {
  type ClientCredentialsCapability,
  FORM_HEADERS,
  formBody,
  type IntrospectCapability,
  InvalidInputError,
  oauthErrorFromBody,
  type ProviderAdapter,
  type RefreshCapability,
  type RequestContext,
  type RevokeCapability,
  refreshing,
  requireStringOptions,
  splitScopes,
} from "@partner-oauth/core";
import { authLink, type TrueLayerAuthorizeOptions } from "./auth-link.js";
import {
  createTrueLayerClient,
  type TrueLayerClient,
  type TrueLayerClientOptions,
  truelayerHosts,
} from "./client.js";
import { connectionFromMe, type TrueLayerTokenInfo } from "./connection.js";
import { apiErrorFromBody } from "./errors.js";
import type { PaymentsScope, TokenRequest, TokenResponse } from "./generated/schema.js";
import { scopesFitTokenType, type TrueLayerTokenType } from "./scopes.js";
import { type TrueLayerToken, tokenFromResponse } from "./token.js";

const DAY_MS = 86_400_000;

export interface TrueLayerOptions extends TrueLayerClientOptions {
  clientId: string;
  clientSecret: string;
  /** Must exactly match a redirect URI allow-listed in Console; sent again on the code exchange. */
  redirectUri: string;
  /** Epoch-ms clock for `expires_in`; give createOAuthClient the same one. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * The TrueLayer adapter: PKCE code flow for Data API tokens (`data` slot), refresh, connection
 * delete, `/me` as introspection, and client-credentials app tokens for the Payments side
 * (`payments` slot). Data API v1 tokens come only from the code flow, never from client credentials.
 */
export interface TrueLayerProvider
  extends ProviderAdapter<TrueLayerAuthorizeOptions, TrueLayerTokenType, TokenResponse>,
    RefreshCapability<TokenResponse>,
    RevokeCapability<TokenResponse>,
    IntrospectCapability<TokenResponse, TrueLayerTokenInfo>,
    ClientCredentialsCapability<"payments", PaymentsScope, TokenResponse> {
  readonly id: "truelayer";
  /** The typed client, e.g. to add middleware. */
  readonly client: TrueLayerClient;
}

/** Creates the TrueLayer adapter for `createOAuthClient`. */
export function truelayer(options: TrueLayerOptions): TrueLayerProvider {
  requireStringOptions("truelayer", options, ["clientId", "clientSecret", "redirectUri"]);
  const { clientId, clientSecret, redirectUri } = options;
  const now = options.now ?? Date.now;
  const hosts = truelayerHosts(options);
  const client = createTrueLayerClient(options);

  /** One endpoint for all three grants; the client secret always travels in the body. */
  async function requestToken(body: TokenRequest, ctx: RequestContext): Promise<TrueLayerToken> {
    ctx.secrets.push(clientSecret);
    const { data, error, response } = await client.POST("/connect/token", {
      body,
      bodySerializer: formBody,
      headers: FORM_HEADERS,
      signal: ctx.signal,
    });
    if (!response.ok) throw oauthErrorFromBody(ctx, response.status, error, response.headers);
    return tokenFromResponse(data, response.status, now(), ctx);
  }

  return {
    id: "truelayer",
    codeFlowTokenType: "data",
    // Data API v1 has no client-credentials tokens (a `data` app token exists only in Data API v3,
    // which needs a Connection-Id header and is out of scope): only the payments slot takes one.
    clientCredentialsTokenTypes: ["payments"],
    pkce: "S256",
    // A refresh returns a new refresh token; the one used is dead.
    refreshTokens: "single-use",
    // "must be used at least once every 30 days" (TrueLayer docs, fact sheet T11: certain). The 90-day
    // consent ends the grant whatever the sweep does: its refresh is then invalid_grant, reported dead.
    refreshTokenLifetimeMs: 30 * DAY_MS,
    client,

    authorizationUrl(input) {
      return authLink({ host: hosts.auth, clientId, redirectUri }, input);
    },

    async exchangeCode({ code, codeVerifier, callbackParams }, ctx) {
      const token = await requestToken(
        {
          grant_type: "authorization_code",
          client_id: clientId,
          client_secret: clientSecret,
          code,
          redirect_uri: redirectUri,
          code_verifier: codeVerifier,
        },
        ctx,
      );
      // `scope` in the token response is only likely; the redirect carries the granted scopes too.
      if (token.scopes.length === 0) token.scopes = splitScopes(callbackParams.get("scope") ?? undefined);
      return token;
    },

    refreshing,
    async refreshToken(token, ctx) {
      if (!token.refreshToken) throw new InvalidInputError("no refresh token stored", meta(ctx));
      return requestToken(
        {
          grant_type: "refresh_token",
          client_id: clientId,
          client_secret: clientSecret,
          refresh_token: token.refreshToken,
        },
        ctx,
      );
    },

    async clientCredentials({ tokenType, scopes }, ctx) {
      // The slot is chosen by token type: refuse scopes of the other type before anything is sent.
      if (!scopesFitTokenType(tokenType, scopes)) {
        throw new InvalidInputError(`scopes do not fit the ${tokenType} token type`, meta(ctx));
      }
      const token = await requestToken(
        {
          grant_type: "client_credentials",
          client_id: clientId,
          client_secret: clientSecret,
          scope: scopes.join(" "),
        },
        ctx,
      );
      // App tokens are fetched again on expiry, never refreshed.
      return { ...token, refreshToken: undefined };
    },

    async revokeToken(token, ctx) {
      const { error, response } = await client.DELETE("/api/delete", {
        headers: { Authorization: `Bearer ${token.accessToken}` },
        signal: ctx.signal,
        // The success body is undocumented: never parse it as JSON.
        parseAs: "text",
      });
      // 401: the token is dead or the connection already deleted; either way it is gone.
      if (response.ok || response.status === 401) return;
      // openapi-fetch has already parsed a JSON error body, whatever `parseAs` says.
      throw apiErrorFromBody(ctx, response.status, error);
    },

    async introspectToken(token, ctx) {
      const { data, error, response } = await client.GET("/data/v1/me", {
        baseUrl: hosts.api,
        headers: { Accept: "application/json", Authorization: `Bearer ${token.accessToken}` },
        signal: ctx.signal,
      });
      if (response.status === 401) return { active: false, reason: "invalid_token" };
      if (response.status === 403) return { active: false, reason: "consent_expired" };
      if (!response.ok) throw apiErrorFromBody(ctx, response.status, error);
      return { active: true, ...connectionFromMe(data, response.status, ctx) };
    },
  };
}

function meta(ctx: RequestContext) {
  return { provider: ctx.provider, operation: ctx.operation };
}
