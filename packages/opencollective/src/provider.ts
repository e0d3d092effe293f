import {
  asObject,
  endpointUrl,
  expiresAtFromSeconds,
  FORM_HEADERS,
  formBody,
  InvalidGrantError,
  InvalidInputError,
  noteDeliveredRefreshToken,
  optionalString,
  type ProviderAdapter,
  type RefreshCapability,
  type RequestContext,
  refreshing,
  requiredString,
  requireStringOptions,
  splitScopes,
  type TokenData,
} from "@partner-oauth/core";
import {
  createOpenCollectiveClient,
  type OpenCollectiveClient,
  type OpenCollectiveClientOptions,
  openCollectiveBaseUrl,
} from "./client.js";
import { tokenErrorFromBody } from "./errors.js";
import type { TokenResponse } from "./generated/schema.js";
import {
  formatScopes,
  isOpenCollectiveScope,
  OPENCOLLECTIVE_SCOPES,
  type OpenCollectiveScope,
} from "./scopes.js";

const DAY_MS = 86_400_000;

export interface OpenCollectiveOptions extends OpenCollectiveClientOptions {
  clientId: string;
  clientSecret: string;
  /** Must match the app's callback URL byte for byte; it is sent again to the token endpoint. */
  redirectUri: string;
  /** Epoch-ms clock used to turn `expires_in` into `expiresAt`; injectable for tests. */
  now?: (() => number) | undefined;
  /**
   * Send a PKCE (S256) challenge and verifier. Default `false`: Open Collective documents the code
   * flow without PKCE, and the consent pages that could be read do not forward `code_challenge`, so
   * the code comes back without one and an exchange carrying a verifier fails with `invalid_grant`.
   * Turn it on only once you have seen it work against your deployment.
   */
  pkce?: boolean | undefined;
}

export interface OpenCollectiveAuthorizeOptions {
  /** Sent comma-separated. May be empty: `me { id name }` still works, but `email` needs `email`. */
  scopes: readonly OpenCollectiveScope[];
}

export type OpenCollectiveToken = TokenData<TokenResponse>;

/**
 * The Open Collective adapter: code exchange (PKCE opt-in) and refresh. No revoke capability: an app
 * cannot revoke its own grant (no revoke endpoint, and the `revokeOAuthAuthorization` mutation
 * refuses OAuth tokens); only the user can, in Open Collective's web UI.
 */
export interface OpenCollectiveProvider
  extends ProviderAdapter<OpenCollectiveAuthorizeOptions, "default", TokenResponse>,
    RefreshCapability<TokenResponse> {
  readonly id: "opencollective";
  /** The typed client, e.g. to add middleware. */
  readonly client: OpenCollectiveClient;
  /** The resolved host; the GraphQL API lives on it too. */
  readonly baseUrl: string;
}

/** Creates the Open Collective adapter for `createOAuthClient`. */
export function opencollective(options: OpenCollectiveOptions): OpenCollectiveProvider {
  requireStringOptions("opencollective", options, ["clientId", "clientSecret", "redirectUri"]);
  const { clientId, clientSecret, redirectUri } = options;
  if (options.pkce !== undefined && typeof options.pkce !== "boolean") {
    throw new TypeError("opencollective: pkce must be a boolean when given");
  }
  const usePkce = options.pkce === true;
  const now = options.now ?? Date.now;
  const baseUrl = openCollectiveBaseUrl(options);
  const client = createOpenCollectiveClient(options);

  return {
    id: "opencollective",
    codeFlowTokenType: "default",
    // Opt-in: the documented flow has no PKCE (see `OpenCollectiveOptions.pkce`).
    pkce: usePkce ? "S256" : "none",
    // opencollective-api deletes the used refresh token when it issues the next one.
    refreshTokens: "single-use",
    // Refresh tokens live one year, strictly rotating (PR #11139; fact sheet: certain).
    refreshTokenLifetimeMs: 365 * DAY_MS,
    client,
    baseUrl,

    authorizationUrl({ state, codeChallenge, options: authorize }) {
      const scopes = authorize?.scopes;
      if (!Array.isArray(scopes) || !scopes.every(isOpenCollectiveScope)) {
        throw new InvalidInputError(`scopes must be a list of ${OPENCOLLECTIVE_SCOPES.join(", ")}`, {
          provider: "opencollective",
          operation: "authorize",
        });
      }
      const url = endpointUrl(baseUrl, "/oauth/authorize");
      const query = url.searchParams;
      query.set("response_type", "code");
      query.set("client_id", clientId);
      query.set("redirect_uri", redirectUri);
      if (scopes.length > 0) query.set("scope", formatScopes(scopes));
      query.set("state", state);
      if (usePkce && codeChallenge) {
        query.set("code_challenge", codeChallenge);
        query.set("code_challenge_method", "S256");
      }
      return url;
    },

    async exchangeCode({ code, codeVerifier }, ctx) {
      ctx.secrets.push(clientSecret);
      const { data, error, response } = await client.POST("/oauth/token", {
        body: {
          grant_type: "authorization_code",
          client_id: clientId,
          client_secret: clientSecret,
          code,
          redirect_uri: redirectUri,
          // A verifier for a code issued without a challenge fails the exchange: only with opt-in.
          ...(usePkce && codeVerifier ? { code_verifier: codeVerifier } : {}),
        },
        bodySerializer: formBody,
        headers: FORM_HEADERS,
        signal: ctx.signal,
      });
      // A code older than 5 minutes answers 400 invalid_grant → InvalidGrantError.
      if (!response.ok) throw tokenErrorFromBody(ctx, response.status, error, response.headers);
      return parseToken(data, response.status, ctx, now());
    },

    /**
     * The refresh grant is *likely* supported (confidence "likely" in the research notes and the
     * spec): the server allows it since opencollective-api #11139, but the docs still list only
     * `authorization_code`. Refresh tokens rotate; a used or unknown one is a dead grant.
     */
    refreshing,
    async refreshToken(token, ctx) {
      // The core never calls this without a refresh token; without one the grant is dead anyway.
      if (!token.refreshToken) {
        throw new InvalidGrantError({
          provider: ctx.provider,
          operation: ctx.operation,
          code: "invalid_grant",
        });
      }
      ctx.secrets.push(clientSecret);
      const { data, error, response } = await client.POST("/oauth/token", {
        body: {
          grant_type: "refresh_token",
          client_id: clientId,
          client_secret: clientSecret,
          refresh_token: token.refreshToken,
        },
        bodySerializer: formBody,
        headers: FORM_HEADERS,
        signal: ctx.signal,
      });
      if (!response.ok) throw tokenErrorFromBody(ctx, response.status, error, response.headers);
      return parseToken(data, response.status, ctx, now());
    },
  };
}

/**
 * Normalizes a token response. Only `access_token` is guaranteed (deployments before June 2025 sent
 * nothing else). No `subject`: the user id sits inside the JWT, which is treated as opaque.
 */
function parseToken(data: unknown, status: number, ctx: RequestContext, now: number): OpenCollectiveToken {
  const body = asObject(data, ctx, status);
  noteDeliveredRefreshToken(ctx, body.refresh_token);
  return {
    accessToken: requiredString(body, "access_token", ctx),
    tokenType: optionalString(body, "token_type", ctx) || "Bearer",
    refreshToken: optionalString(body, "refresh_token", ctx) || undefined,
    expiresAt: expiresAtFromSeconds(body, "expires_in", now, ctx),
    // Space-separated today; comma is the request form, so accept both.
    scopes: splitScopes(optionalString(body, "scope", ctx), /[\s,]+/),
    raw: body as TokenResponse,
  };
}
