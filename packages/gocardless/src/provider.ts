import {
  asObject,
  endpointUrl,
  FORM_HEADERS,
  formBody,
  type IntrospectCapability,
  InvalidInputError,
  oauthErrorFromBody,
  type ProviderAdapter,
  type RevokeCapability,
  requiredString,
  requireStringOptions,
  type TokenData,
} from "@partner-oauth/core";
import {
  createGoCardlessClient,
  GOCARDLESS_API_VERSION,
  type GoCardlessClient,
  type GoCardlessClientOptions,
  gocardlessHosts,
} from "./client.js";
import { apiErrorFromBody, apiErrorReason } from "./errors.js";
import type { Creditor, Prefill, Scope, TokenResponse } from "./generated/schema.js";
import { scopeValues } from "./generated/schema.js";

export interface GoCardlessOptions extends GoCardlessClientOptions {
  clientId: string;
  clientSecret: string;
  /** Must exactly match a redirect URI registered on the app. */
  redirectUri: string;
}

export interface GoCardlessAuthorizeOptions {
  /** Exactly one scope: GoCardless grants `read_write` or `read_only`. */
  scopes: readonly [Scope];
  /** Which GoCardless screen opens first. */
  initialView?: "signup" | "login" | undefined;
  /** Sign-up prefill; empty values are dropped. */
  prefill?: Prefill | undefined;
  /** UI language, e.g. `en`, `fr`. */
  language?: string | undefined;
}

/** What `introspect` tells about a GoCardless token: alive or not, and the merchant's creditor. */
export interface GoCardlessTokenInfo {
  active: boolean;
  organisationId: string | undefined;
  creditor: Creditor | undefined;
  /**
   * Why an inactive token is inactive: GoCardless's 401 reason, `access_token_not_found`,
   * `access_token_revoked` (the merchant revoked the app) or `access_token_not_active`. Undefined
   * for an active token or a 401 without a readable reason.
   */
  reason?: string | undefined;
}

export type GoCardlessToken = TokenData<TokenResponse>;

/** The GoCardless adapter: code exchange, revoke, and a creditor probe as introspection. No refresh: tokens never expire. */
export interface GoCardlessProvider
  extends ProviderAdapter<GoCardlessAuthorizeOptions, "default", TokenResponse>,
    RevokeCapability<TokenResponse>,
    IntrospectCapability<TokenResponse, GoCardlessTokenInfo> {
  readonly id: "gocardless";
  /** The typed client, e.g. to add middleware. */
  readonly client: GoCardlessClient;
}

/** Creates the GoCardless adapter for `createOAuthClient`. */
export function gocardless(options: GoCardlessOptions): GoCardlessProvider {
  requireStringOptions("gocardless", options, ["clientId", "clientSecret", "redirectUri"]);
  const { clientId, clientSecret, redirectUri } = options;
  const hosts = gocardlessHosts(options);
  const client = createGoCardlessClient(options);

  return {
    id: "gocardless",
    codeFlowTokenType: "default",
    pkce: "none",
    refreshTokens: "none",
    client,

    authorizationUrl({ state, options: authorize }) {
      const [scope] = authorize.scopes;
      if (!scopeValues.includes(scope) || authorize.scopes.length !== 1) {
        throw new InvalidInputError(`scopes must be exactly one of ${scopeValues.join(", ")}`, {
          provider: "gocardless",
          operation: "authorize",
        });
      }
      const url = endpointUrl(hosts.connect, "/oauth/authorize");
      const query = url.searchParams;
      query.set("response_type", "code");
      query.set("client_id", clientId);
      query.set("redirect_uri", redirectUri);
      query.set("scope", scope);
      query.set("state", state);
      if (authorize.initialView) query.set("initial_view", authorize.initialView);
      for (const [key, value] of Object.entries(authorize.prefill ?? {})) {
        if (typeof value === "string" && value.trim() !== "") query.set(`prefill[${key}]`, value);
      }
      if (authorize.language) query.set("language", authorize.language);
      return url;
    },

    async exchangeCode({ code }, ctx) {
      ctx.secrets.push(clientSecret);
      const { data, error, response } = await client.POST("/oauth/access_token", {
        body: {
          grant_type: "authorization_code",
          code,
          redirect_uri: redirectUri,
          client_id: clientId,
          client_secret: clientSecret,
        },
        bodySerializer: formBody,
        headers: FORM_HEADERS,
        signal: ctx.signal,
      });
      if (!response.ok) throw oauthErrorFromBody(ctx, response.status, error);
      const body = asObject(data, ctx, response.status);
      const scope = requiredString(body, "scope", ctx);
      return {
        accessToken: requiredString(body, "access_token", ctx),
        tokenType: requiredString(body, "token_type", ctx),
        scopes: [scope],
        subject: requiredString(body, "organisation_id", ctx),
        raw: body as TokenResponse,
      };
    },

    async revokeToken(token, ctx) {
      ctx.secrets.push(clientSecret);
      const { error, response } = await client.POST("/oauth/revoke", {
        body: { token: token.accessToken, client_id: clientId, client_secret: clientSecret },
        bodySerializer: formBody,
        headers: FORM_HEADERS,
        signal: ctx.signal,
        parseAs: "text",
      });
      if (!response.ok) throw oauthErrorFromBody(ctx, response.status, error);
    },

    async introspectToken(token, ctx) {
      const { data, error, response } = await client.GET("/creditors", {
        baseUrl: hosts.api,
        params: { header: { "GoCardless-Version": GOCARDLESS_API_VERSION }, query: { limit: 1 } },
        headers: { Accept: "application/json", Authorization: `Bearer ${token.accessToken}` },
        signal: ctx.signal,
      });
      if (response.status === 401) {
        return {
          active: false,
          organisationId: token.subject,
          creditor: undefined,
          reason: apiErrorReason(error),
        };
      }
      if (!response.ok) throw apiErrorFromBody(ctx, response.status, error);
      const creditors = asObject(data, ctx, response.status).creditors;
      if (!Array.isArray(creditors)) throw apiErrorFromBody(ctx, response.status, data);
      return { active: true, organisationId: token.subject, creditor: creditors[0] as Creditor | undefined };
    },
  };
}
