import {
  basicAuthorization,
  InvalidCallbackError,
  InvalidInputError,
  noteDeliveredRefreshToken,
  type ProviderAdapter,
  parseTimestamp,
  providerError,
  type RefreshCapability,
  type RequestContext,
  type RevocationNoticeCapability,
  type RevokeCapability,
  refreshing,
  requireStringOptions,
  revocationNotices,
  splitScopes,
  type TokenData,
} from "@partner-oauth/core";
import { assertBasicSafe } from "./basic-auth.js";
import {
  BRAINTREE_API_VERSION,
  type BraintreeClient,
  type BraintreeClientOptions,
  braintreeBaseUrl,
  createBraintreeClient,
} from "./client.js";
import { type BraintreeAuthorizeOptions, connectUrl } from "./connect-url.js";
import { type BraintreeCredentials, readCredentials, readRevocationResult } from "./documents.js";
import { braintreeError } from "./errors.js";

const DAY_MS = 86_400_000;

export interface BraintreeOptions extends BraintreeClientOptions {
  /** `client_id$<environment>$…`. */
  clientId: string;
  /** `client_secret$<environment>$…`. */
  clientSecret: string;
  /** Must exactly match a redirect URI allow-listed on the OAuth app. */
  redirectUri: string;
  /** Epoch-ms clock, for the expiry fallback; injectable for tests. */
  now?: (() => number) | undefined;
}

export type BraintreeToken = TokenData<BraintreeCredentials>;

/**
 * The Braintree adapter: connect URL, code exchange, refresh (rotating refresh tokens) and revoke.
 * No introspection or client-credentials grant: Braintree has neither.
 */
export interface BraintreeProvider
  extends ProviderAdapter<BraintreeAuthorizeOptions, "default", BraintreeCredentials>,
    RefreshCapability<BraintreeCredentials>,
    RevokeCapability<BraintreeCredentials>,
    RevocationNoticeCapability {
  readonly id: "braintree";
  /** The typed client, e.g. to add middleware. */
  readonly client: BraintreeClient;
}

/** Access tokens live 24 h (Braintree docs); used only when a response omits `expires-at`. */
const ACCESS_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * Creates the Braintree adapter for `createOAuthClient`.
 *
 * Wire format: requests are the JSON bodies the official Node SDK sends (Prism validates them
 * against the spec; the XML bodies other SDKs send cannot be validated), with `Accept:
 * application/xml`, `X-ApiVersion: 6` and raw HTTP Basic. Responses are XML, read as text and parsed
 * by the package's own restricted parser (src/xml.ts).
 */
export function braintree(options: BraintreeOptions): BraintreeProvider {
  requireStringOptions("braintree", options, ["clientId", "clientSecret", "redirectUri"]);
  const { clientId, clientSecret, redirectUri } = options;
  assertBasicSafe("clientId", clientId);
  assertBasicSafe("clientSecret", clientSecret);
  const baseUrl = braintreeBaseUrl(options);
  // The SDK derives the environment from the credentials; a mismatch would only fail later, at the gateway.
  for (const [field, value, prefix] of [
    ["clientId", clientId, "client_id"],
    ["clientSecret", clientSecret, "client_secret"],
  ] as const) {
    if (!value.startsWith(`${prefix}$${options.environment}$`)) {
      throw new TypeError(`braintree: ${field} must look like ${prefix}$${options.environment}$…`);
    }
  }
  const client = createBraintreeClient(options);
  const now = options.now ?? Date.now;
  const header = { "X-ApiVersion": BRAINTREE_API_VERSION } as const;
  // The spec's `partnerBasic` security scheme: a header, not a typed parameter.
  const headers = {
    Accept: "application/xml",
    Authorization: basicAuthorization(clientId, clientSecret, { formEncode: false }),
  } as const;

  async function createToken(
    body:
      | { grant_type: "authorization_code"; code: string }
      | { grant_type: "refresh_token"; refresh_token: string },
    ctx: RequestContext,
  ): Promise<BraintreeToken> {
    ctx.secrets.push(clientSecret);
    const { data, error, response } = await client.POST("/oauth/access_tokens", {
      params: { header },
      body,
      headers,
      signal: ctx.signal,
      parseAs: "text",
    });
    if (response.status !== 200 && response.status !== 201) {
      throw braintreeError(ctx, response.status, error, response.headers);
    }
    const credentials = readCredentials(data, ctx, response.status);
    noteDeliveredRefreshToken(ctx, credentials.refreshToken);
    ctx.secrets.push(
      credentials.accessToken,
      ...(credentials.refreshToken ? [credentials.refreshToken] : []),
    );
    return {
      accessToken: credentials.accessToken,
      tokenType: credentials.tokenType,
      refreshToken: credentials.refreshToken,
      expiresAt: parseTimestamp(credentials.expiresAt, "expires-at", ctx) ?? now() + ACCESS_TOKEN_LIFETIME_MS,
      // Refresh tokens live 180 days, but Braintree does not say until when: set only if it ever does.
      refreshTokenExpiresAt: parseTimestamp(
        credentials.refreshTokenExpiresAt,
        "refresh-token-expires-at",
        ctx,
      ),
      scopes: splitScopes(credentials.scope, ","),
      raw: credentials,
    };
  }

  return {
    id: "braintree",
    codeFlowTokenType: "default",
    pkce: "none",
    // Every refresh returns a new refresh token and kills the one used.
    refreshTokens: "single-use",
    // "refresh token 180 days; every refresh returns a new one" (Braintree docs, fact sheet: certain).
    refreshTokenLifetimeMs: 180 * DAY_MS,
    client,

    authorizationUrl({ state, options: authorize }) {
      return connectUrl(baseUrl, { clientId, redirectUri, state }, authorize);
    },

    async exchangeCode({ code, callbackParams }, ctx) {
      const merchantId = callbackParams.get("merchantId") ?? undefined;
      const where = { provider: ctx.provider, operation: ctx.operation };
      if (merchantId !== undefined && !/^[A-Za-z0-9_]{1,64}$/.test(merchantId)) {
        throw new InvalidCallbackError("callback merchantId is malformed", where);
      }
      const token = await createToken({ grant_type: "authorization_code", code }, ctx);
      // The access token names its merchant (`access_token$<env>$<merchant id>$…`, which the SDK relies
      // on). The callback's merchantId passed through the browser: it must not name another merchant.
      const issuedFor = merchantOf(token.accessToken);
      if (merchantId !== undefined && issuedFor !== undefined && merchantId !== issuedFor) {
        // Nobody will hold this grant: revoke it (best effort) rather than leave it live at Braintree.
        await revokeAccessToken(token.accessToken, ctx).catch(() => {});
        throw new InvalidCallbackError("callback merchantId does not match the merchant of the token", where);
      }
      return { ...token, subject: merchantId ?? issuedFor };
    },

    refreshing,
    // oauth_access_revoked webhooks (webhook.ts) give the facade applyRevocation.
    revocationNotices,
    async refreshToken(token, ctx) {
      if (!token.refreshToken) {
        throw new InvalidInputError("no refresh token to refresh with", {
          provider: ctx.provider,
          operation: ctx.operation,
        });
      }
      // Each refresh rotates the refresh token; the core stores the new one before handing the token out.
      return createToken({ grant_type: "refresh_token", refresh_token: token.refreshToken }, ctx);
    },

    revokeToken(token, ctx) {
      return revokeAccessToken(token.accessToken, ctx);
    },
  };

  async function revokeAccessToken(accessToken: string, ctx: RequestContext): Promise<void> {
    ctx.secrets.push(clientSecret);
    const { data, error, response } = await client.POST("/oauth/revoke_access_token", {
      params: { header },
      body: { token: accessToken },
      headers,
      signal: ctx.signal,
      parseAs: "text",
    });
    if (response.status === 200 || response.status === 201) {
      if (readRevocationResult(data, ctx, response.status)) return;
      throw providerError(ctx, {
        status: response.status,
        description: "the revocation was not confirmed",
      });
    }
    const failure = braintreeError(ctx, response.status, error);
    // Already revoked or unknown: the goal, no live token, is reached.
    if (failure.code === "invalid_grant") return;
    throw failure;
  }
}

/** The merchant id inside a Braintree access token, if it has the documented shape. */
function merchantOf(accessToken: string): string | undefined {
  const [kind, , merchant] = accessToken.split("$");
  return kind === "access_token" && merchant ? merchant : undefined;
}
