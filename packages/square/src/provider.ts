import {
  asObject,
  type IntrospectCapability,
  InvalidInputError,
  type ProviderAdapter,
  type RefreshCapability,
  type RequestContext,
  type RevocationNoticeCapability,
  type RevokeCapability,
  refreshing,
  revocationNotices,
  type TokenData,
} from "@partner-oauth/core";
import {
  requestedScopes,
  type SquareAuthorizeOptions,
  squareAuthorizationUrl,
  squareStateSuffix,
} from "./authorize.js";
import { createSquareClient, type SquareClient, type SquareClientOptions, squareHost } from "./client.js";
import { isAlreadyRevoked, squareErrorFromBody } from "./errors.js";
import type { ObtainTokenRequest, ObtainTokenResponse } from "./generated/schema.js";
import { tokenFromResponse } from "./token-response.js";
import { inactiveStatus, type SquareTokenStatus, statusFromResponse } from "./token-status.js";

const DAY_MS = 86_400_000;

export interface SquareOptions extends SquareClientOptions {
  /** Application ID (`sq0idp-…`, sandbox `sandbox-sq0idb-…`). */
  clientId: string;
  /**
   * Application secret. With it the adapter uses Square's code flow, which Square recommends for
   * confidential server apps: the secret goes to ObtainToken, no PKCE, and the refresh token is
   * multi-use (each refresh returns the same one). Revoke needs it too (`Authorization: Client …`).
   * Without it the adapter is a public PKCE client (single-use, rotating refresh tokens) and cannot
   * revoke. Square tells the flows apart by the `code_challenge`
   * on the authorize URL, so the two are never mixed.
   */
  clientSecret?: string | undefined;
  /**
   * Sent on the authorize URL and to ObtainToken; must match the redirect URL registered on the app.
   * Omit it to use the registered one. There is no per-authorize override: Square registers one
   * redirect URL per application, and an override would have to reach ObtainToken too.
   */
  redirectUri?: string | undefined;
  /** Epoch ms clock that judges expiry in `introspect`. Default `Date.now`. */
  now?: (() => number) | undefined;
}

export type SquareToken = TokenData<ObtainTokenResponse>;

/** What both flows share: authorize, code exchange, refresh and token status. */
export interface SquareProviderBase
  extends ProviderAdapter<SquareAuthorizeOptions, "default", ObtainTokenResponse>,
    RefreshCapability<ObtainTokenResponse>,
    IntrospectCapability<ObtainTokenResponse, SquareTokenStatus>,
    RevocationNoticeCapability {
  readonly id: "square";
  /** The typed client, e.g. to add middleware. */
  readonly client: SquareClient;
}

/** The adapter without an application secret: Square's PKCE flow, refresh and token status. */
export interface SquarePublicProvider extends SquareProviderBase {
  readonly pkce: "S256";
  readonly refreshTokens: "single-use";
}

/**
 * The adapter with the application secret: Square's code flow (no PKCE), plus revoke. No client
 * credentials, and no RenewToken: Square retired it on 2024-04-17 (use `oauth.refresh(account)`).
 */
export interface SquareProvider extends SquareProviderBase, RevokeCapability<ObtainTokenResponse> {
  readonly pkce: "none";
  readonly refreshTokens: "reusable";
}

/** Creates the Square adapter for `createOAuthClient`; with a `clientSecret` it can also revoke. */
export function square(options: SquareOptions & { clientSecret: string }): SquareProvider;
export function square(options: SquareOptions): SquarePublicProvider;
export function square(options: SquareOptions): SquarePublicProvider | SquareProvider {
  if (typeof options?.clientId !== "string" || options.clientId.length === 0) {
    throw new TypeError("square: clientId is required");
  }
  const { clientId, clientSecret, redirectUri } = options;
  if (clientSecret !== undefined && (typeof clientSecret !== "string" || clientSecret.length === 0)) {
    throw new TypeError("square: clientSecret must be a non-empty string when given");
  }
  const now = options.now ?? Date.now;
  const host = squareHost(options);
  const client = createSquareClient(options);

  /**
   * ObtainToken: with the secret the code flow (`client_secret`), without it the PKCE flow
   * (`code_verifier` on the code grant, nothing on refresh). Never retried: a PKCE refresh token is
   * single-use, and a retry could spend it twice.
   */
  async function obtainToken(
    body: ObtainTokenRequest,
    ctx: RequestContext,
    scopes: readonly string[],
  ): Promise<SquareToken> {
    if (clientSecret) ctx.secrets.push(clientSecret);
    const { data, error, response } = await client.POST("/oauth2/token", { body, signal: ctx.signal });
    if (!response.ok) throw squareErrorFromBody(ctx, response.status, error, response.headers);
    return tokenFromResponse(data, ctx, response.status, scopes);
  }

  const usesPkce = !clientSecret;
  const base: Omit<SquareProviderBase, "pkce" | "refreshTokens"> = {
    id: "square",
    codeFlowTokenType: "default",
    client,

    authorizationUrl(input) {
      return squareAuthorizationUrl(host, { clientId, redirectUri, pkce: usesPkce }, input);
    },

    // Square's answer names no scopes: the requested ones travel in the state to the callback.
    stateSuffix: squareStateSuffix,

    exchangeCode({ code, codeVerifier, callbackParams }, ctx) {
      return obtainToken(
        {
          client_id: clientId,
          grant_type: "authorization_code",
          code,
          redirect_uri: redirectUri,
          ...(clientSecret ? { client_secret: clientSecret } : { code_verifier: codeVerifier }),
        },
        ctx,
        requestedScopes(callbackParams),
      );
    },

    refreshing,
    // oauth.authorization.revoked events (webhook.ts) give the facade applyRevocation.
    revocationNotices,
    async refreshToken(token, ctx) {
      if (!token.refreshToken) {
        throw new InvalidInputError("no refresh token to refresh with", {
          provider: "square",
          operation: "refresh",
        });
      }
      return obtainToken(
        {
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: "refresh_token",
          refresh_token: token.refreshToken,
        },
        ctx,
        // A refresh (which sends no `scopes` to narrow it) keeps the grant's permissions.
        token.scopes,
      );
    },

    async introspectToken(token, ctx) {
      const { data, error, response } = await client.POST("/oauth2/token/status", {
        headers: { Authorization: `Bearer ${token.accessToken}` },
        signal: ctx.signal,
      });
      if (response.status === 401) return inactiveStatus(error, token.subject);
      if (!response.ok) throw squareErrorFromBody(ctx, response.status, error, response.headers);
      return statusFromResponse(data, ctx, response.status, now());
    },
  };
  // PKCE flow: single-use refresh tokens, rotated on every refresh. Code flow: one reusable refresh token.
  if (!clientSecret)
    return {
      ...base,
      pkce: "S256",
      refreshTokens: "single-use",
      // "expires after 90 days" (developer.squareup.com/docs/oauth-api/overview); the answer's own
      // refresh_token_expires_at wins when it is sooner.
      refreshTokenLifetimeMs: 90 * DAY_MS,
    } satisfies SquarePublicProvider;

  const clientAuthorization = `Client ${clientSecret}`;
  return {
    ...base,
    pkce: "none",
    refreshTokens: "reusable",

    async revokeToken(token, ctx) {
      ctx.secrets.push(clientSecret);
      const { data, error, response } = await client.POST("/oauth2/revoke", {
        params: { header: { Authorization: clientAuthorization } },
        // By merchant: revokes the seller's whole authorization for this app even when the access
        // token alone was revoked elsewhere (`revoke_only_access_token`), which would otherwise read
        // as "already revoked" while the refresh token stays live.
        body: token.subject
          ? { client_id: clientId, merchant_id: token.subject }
          : { client_id: clientId, access_token: token.accessToken },
        signal: ctx.signal,
      });
      if (!response.ok) {
        if (isAlreadyRevoked(response.status, error)) return;
        throw squareErrorFromBody(ctx, response.status, error);
      }
      if (asObject(data, ctx, response.status).success !== true) {
        throw squareErrorFromBody(ctx, response.status, data);
      }
    },
  } satisfies SquareProvider;
}
