import {
  asObject,
  basicAuthorization,
  type ClientCredentialsCapability,
  expiresAtFromSeconds,
  FORM_HEADERS,
  type FormValue,
  formBody,
  type IntrospectCapability,
  InvalidGrantError,
  InvalidInputError,
  noteDeliveredRefreshToken,
  oauthErrorFromBody,
  optionalString,
  type ProviderAdapter,
  type RefreshCapability,
  type RefreshTokenBehaviour,
  type RequestContext,
  ResponseParseError,
  type RevokeCapability,
  refreshing,
  requiredString,
  requireStringOptions,
  splitScopes,
  type TokenData,
} from "@partner-oauth/core";
import type { ClientOptions } from "openapi-fetch";
import { createOAuth2Client, type OAuth2Client } from "./client.js";
import { type DiscoverOptions, discoverMetadata } from "./discovery.js";
import { DiscoveryError } from "./errors.js";
import type { IntrospectionResponse, TokenResponse } from "./generated/schema.js";
import {
  type CapabilitiesOf,
  checkMetadata,
  type OAuth2Capability,
  type OAuth2Metadata,
} from "./metadata.js";

/** RFC 6749 §2.3.1 / OpenID `token_endpoint_auth_method` values the adapter speaks. */
export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

/** The store slots: the code-flow token, and the app token of the client-credentials grant. */
export type OAuth2TokenType = "default" | "app";

export interface OAuth2ClientSettings {
  /** Your name for this server, part of every store key (`xero`, `quickbooks`): keep it stable. */
  id: string;
  clientId: string;
  /** Absent for a public client (`clientAuth: "none"`). */
  clientSecret?: string | undefined;
  /** Must match a registered redirect URI exactly; sent again to the token endpoint. */
  redirectUri: string;
  /**
   * How the client authenticates at the token, revocation and introspection endpoints. Default: `none`
   * without a secret; otherwise `client_secret_basic` unless the server lists only `client_secret_post`.
   */
  clientAuth?: ClientAuthMethod | undefined;
  /**
   * PKCE S256: `auto` (default) when the metadata lists S256 in `code_challenge_methods_supported`.
   * `S256` forces it (a server that supports PKCE without saying so); `none` never sends it.
   */
  pkce?: "auto" | "S256" | "none" | undefined;
  /**
   * How long a refresh token lives from its issue or last use, where the server documents it (Xero:
   * 60 days unused; QuickBooks: 100 days): each stored grant then falls due for `oauth.sweep` a
   * margin before it would die. Default: none (grants never fall due).
   */
  refreshTokenLifetimeMs?: number | undefined;
  /** Epoch-ms clock for `expires_in`; injectable for tests. */
  now?: (() => number) | undefined;
  fetch?: ClientOptions["fetch"];
  /** The largest token, revocation or introspection response read; default 1 MiB. */
  maxResponseBytes?: number | undefined;
}

export interface OAuth2Options<M extends OAuth2Metadata, R extends RefreshTokenBehaviour>
  extends OAuth2ClientSettings {
  /** The server's metadata: written by hand, or from `discoverMetadata`. */
  metadata: M;
  /**
   * How the server's refresh tokens behave; metadata cannot say, so you do. Default `single-use`,
   * the safe one (each refresh under the store's lease). `reusable` (the same token works again),
   * `{ rotating: { graceMs } }` (Xero: 30 min), `none` (no refresh at all).
   */
  refreshTokens?: R | undefined;
}

export interface OAuth2AuthorizeOptions {
  /** Space-joined into `scope`; the server's default scope when omitted or empty. */
  scopes?: readonly string[] | undefined;
  /** Further authorization parameters (`prompt`, `audience`, `access_type`…). Cannot override ours. */
  params?: Readonly<Record<string, string>> | undefined;
}

export type OAuth2Token = TokenData<TokenResponse>;

/** What every adapter of this package has; capabilities are added by `OAuth2Provider`. */
export interface OAuth2Adapter
  extends ProviderAdapter<OAuth2AuthorizeOptions, OAuth2TokenType, TokenResponse> {
  readonly issuer: string;
  readonly metadata: OAuth2Metadata;
  readonly clientAuth: ClientAuthMethod;
  /** The typed client, e.g. to add middleware. */
  readonly client: OAuth2Client;
}

// biome-ignore lint/complexity/noBannedTypes: `{}` adds nothing to an intersection, which is the point.
type Empty = {};

/** The adapter with exactly the capabilities `C`: the facade's type follows from it. */
export type OAuth2Provider<C extends OAuth2Capability = never> = OAuth2Adapter &
  ("refresh" extends C ? RefreshCapability<TokenResponse> : Empty) &
  ("revoke" extends C ? RevokeCapability<TokenResponse> : Empty) &
  ("introspect" extends C ? IntrospectCapability<TokenResponse, IntrospectionResponse> : Empty) &
  ("clientCredentials" extends C ? ClientCredentialsCapability<"app", string, TokenResponse> : Empty);

/**
 * An adapter from static metadata. The type has revoke, introspect and client credentials exactly
 * when the metadata literal has the endpoint (or lists the grant), so calling what the server lacks
 * does not compile.
 */
export function oauth2<const M extends OAuth2Metadata, const R extends RefreshTokenBehaviour = "single-use">(
  options: OAuth2Options<M, R>,
): OAuth2Provider<CapabilitiesOf<M, R>> {
  return build(options) as OAuth2Provider<CapabilitiesOf<M, R>>;
}

export interface DiscoverOAuth2Options<R extends RefreshTokenBehaviour, C extends OAuth2Capability>
  extends OAuth2ClientSettings {
  /** The issuer identifier, exactly as the server spells it (`https://login.partner.example`). */
  issuer: string;
  refreshTokens?: R | undefined;
  /**
   * The capabilities you need beyond the code flow (`revoke`, `introspect`, `clientCredentials`):
   * discovery fails with DiscoveryError (`missing_capability`) if the metadata lacks one, and the
   * facade's type has them. Refresh follows `refreshTokens`.
   */
  require?: readonly C[] | undefined;
  discovery?: Omit<DiscoverOptions, "fetch" | "provider"> | undefined;
}

/**
 * An adapter from discovery: fetches the issuer's metadata (timeout, size cap, cached per process),
 * refuses one naming another issuer, and checks the capabilities you `require`.
 */
export async function discoverOAuth2<
  const R extends RefreshTokenBehaviour = "single-use",
  const C extends Exclude<OAuth2Capability, "refresh"> = never,
>(options: DiscoverOAuth2Options<R, C>): Promise<OAuth2Provider<C | (R extends "none" ? never : "refresh")>> {
  requireStringOptions("oauth2", options, ["id", "issuer"]);
  const metadata = await discoverMetadata(options.issuer, {
    ...options.discovery,
    fetch: options.fetch,
    provider: options.id,
  });
  const provider = build({ ...options, metadata, require: options.require ?? [] });
  return provider as OAuth2Provider<C | (R extends "none" ? never : "refresh")>;
}

const AUTH_METHODS: readonly ClientAuthMethod[] = ["client_secret_basic", "client_secret_post", "none"];

function build(
  options: OAuth2Options<OAuth2Metadata, RefreshTokenBehaviour> & { require?: readonly OAuth2Capability[] },
): OAuth2Adapter &
  Partial<RefreshCapability & RevokeCapability & IntrospectCapability & ClientCredentialsCapability> {
  requireStringOptions("oauth2", options, ["id", "clientId", "redirectUri"]);
  const { id, clientId, clientSecret, redirectUri } = options;
  const metadata = checkMetadata(options.metadata, id);
  const refreshTokens = options.refreshTokens ?? "single-use";
  checkRefreshTokens(refreshTokens);
  const lifetime = options.refreshTokenLifetimeMs;
  if (lifetime !== undefined && !(Number.isFinite(lifetime) && lifetime > 0))
    throw new TypeError(`${options.id}: refreshTokenLifetimeMs must be a positive number of ms`);
  const clientAuth = chooseClientAuth(options, metadata);
  const usePkce =
    options.pkce === "S256" ||
    ((options.pkce ?? "auto") === "auto" &&
      (metadata.code_challenge_methods_supported ?? []).includes("S256"));
  if (options.pkce !== undefined && !["auto", "S256", "none"].includes(options.pkce)) {
    throw new TypeError(`${id}: pkce must be "auto", "S256" or "none"`);
  }
  const offered: Record<Exclude<OAuth2Capability, "refresh">, boolean> = {
    revoke: metadata.revocation_endpoint !== undefined,
    introspect: metadata.introspection_endpoint !== undefined,
    clientCredentials: (metadata.grant_types_supported ?? []).includes("client_credentials"),
  };
  for (const capability of options.require ?? []) {
    if (capability !== "refresh" && !offered[capability]) {
      throw new DiscoveryError("missing_capability", `${metadata.issuer} does not offer ${capability}`, {
        provider: id,
      });
    }
  }
  // Discovered metadata is not known at compile time, so the type lists what was required: the
  // adapter then has exactly that too (a facade has at run time exactly the methods of its type).
  const wanted = (capability: OAuth2Capability) =>
    options.require === undefined || options.require.includes(capability);
  const available = {
    revoke: offered.revoke && wanted("revoke"),
    introspect: offered.introspect && wanted("introspect"),
    clientCredentials: offered.clientCredentials && wanted("clientCredentials"),
  };
  const now = options.now ?? Date.now;
  const client = createOAuth2Client({
    endpoints: {
      "/token": metadata.token_endpoint,
      ...(metadata.revocation_endpoint ? { "/revoke": metadata.revocation_endpoint } : {}),
      ...(metadata.introspection_endpoint ? { "/introspect": metadata.introspection_endpoint } : {}),
    },
    fetch: options.fetch,
    maxResponseBytes: options.maxResponseBytes,
  });

  /** The client's credentials for one request, in the header or the body as configured. */
  function authenticate(ctx: RequestContext): {
    headers: Record<string, string>;
    fields: Record<string, string>;
  } {
    if (clientSecret) ctx.secrets.push(clientSecret);
    if (clientAuth === "client_secret_basic") {
      return {
        headers: { ...FORM_HEADERS, Authorization: basicAuthorization(clientId, clientSecret as string) },
        fields: {},
      };
    }
    if (clientAuth === "client_secret_post") {
      return {
        headers: FORM_HEADERS,
        fields: { client_id: clientId, client_secret: clientSecret as string },
      };
    }
    return { headers: FORM_HEADERS, fields: { client_id: clientId } };
  }

  async function tokenRequest(body: Record<string, FormValue>, ctx: RequestContext): Promise<OAuth2Token> {
    const auth = authenticate(ctx);
    const { data, error, response } = await client.POST("/token", {
      // The grant's own fields, typed loosely here: each caller below builds one grant's body.
      body: { ...auth.fields, ...body } as never,
      bodySerializer: formBody,
      headers: auth.headers,
      signal: ctx.signal,
    });
    if (!response.ok) throw oauthErrorFromBody(ctx, response.status, error, response.headers);
    return parseToken(data, response.status, ctx, now());
  }

  const adapter: OAuth2Adapter &
    Partial<RefreshCapability & RevokeCapability & IntrospectCapability & ClientCredentialsCapability> = {
    id,
    codeFlowTokenType: "default",
    pkce: usePkce ? "S256" : "none",
    refreshTokens,
    refreshTokenLifetimeMs: lifetime,
    // The refresh machinery comes with `refreshToken` (set below) and only then.
    ...(refreshTokens === "none" ? {} : { refreshing }),
    issuer: metadata.issuer,
    authorizationResponseIssParameterSupported:
      metadata.authorization_response_iss_parameter_supported === true,
    metadata,
    clientAuth,
    client,

    authorizationUrl({ state, codeChallenge, options: authorize }) {
      const scopes = authorize?.scopes ?? [];
      if (
        !Array.isArray(scopes) ||
        !scopes.every((s) => typeof s === "string" && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))
      ) {
        throw new InvalidInputError("scopes must be a list of RFC 6749 scope tokens (no spaces or quotes)", {
          provider: id,
          operation: "authorize",
        });
      }
      const url = new URL(metadata.authorization_endpoint);
      const query = url.searchParams;
      for (const [name, value] of Object.entries(authorize?.params ?? {})) {
        if (typeof value !== "string") {
          throw new InvalidInputError(`authorization parameter ${name} must be a string`, {
            provider: id,
            operation: "authorize",
          });
        }
        query.set(name, value);
      }
      // Ours last: extra params cannot replace the state, the challenge or the redirect.
      query.set("response_type", "code");
      query.set("client_id", clientId);
      query.set("redirect_uri", redirectUri);
      if (scopes.length > 0) query.set("scope", scopes.join(" "));
      else query.delete("scope");
      query.set("state", state);
      query.delete("code_challenge");
      query.delete("code_challenge_method");
      if (usePkce && codeChallenge) {
        query.set("code_challenge", codeChallenge);
        query.set("code_challenge_method", "S256");
      }
      return url;
    },

    exchangeCode({ code, codeVerifier }, ctx) {
      return tokenRequest(
        {
          grant_type: "authorization_code",
          code,
          redirect_uri: redirectUri,
          ...(usePkce && codeVerifier ? { code_verifier: codeVerifier } : {}),
        },
        ctx,
      );
    },
  };

  if (refreshTokens !== "none") {
    adapter.refreshToken = async (token, ctx) => {
      // The core never calls this without a refresh token; without one the grant is dead anyway.
      if (!token.refreshToken) {
        throw new InvalidGrantError({
          provider: ctx.provider,
          operation: ctx.operation,
          code: "invalid_grant",
        });
      }
      return tokenRequest({ grant_type: "refresh_token", refresh_token: token.refreshToken }, ctx);
    };
  }

  if (available.revoke) {
    adapter.revokeToken = async (token, ctx) => {
      // RFC 7009 §2.1: revoking the refresh token should end the grant and its access tokens; the
      // access token is revoked as well for servers that do not (an invalid one still answers 200).
      if (token.refreshToken) await revoke(token.refreshToken, "refresh_token", ctx);
      await revoke(token.accessToken, "access_token", ctx);
    };
  }

  async function revoke(value: string, hint: "access_token" | "refresh_token", ctx: RequestContext) {
    const auth = authenticate(ctx);
    const { error, response } = await client.POST("/revoke", {
      body: { ...auth.fields, token: value, token_type_hint: hint },
      bodySerializer: formBody,
      headers: auth.headers,
      signal: ctx.signal,
      parseAs: "text",
    });
    if (response.ok) return;
    // A server that cannot revoke access tokens (RFC 7009 §2.2.1) has revoked what it could.
    const failure = oauthErrorFromBody(ctx, response.status, parseJson(error), response.headers);
    if (hint === "access_token" && failure.providerCode === "unsupported_token_type") return;
    throw failure;
  }

  if (available.introspect) {
    adapter.introspectToken = async (token, ctx) => {
      const auth = authenticate(ctx);
      const { data, error, response } = await client.POST("/introspect", {
        body: { ...auth.fields, token: token.accessToken, token_type_hint: "access_token" },
        bodySerializer: formBody,
        headers: { ...auth.headers, Accept: "application/json" },
        signal: ctx.signal,
      });
      if (!response.ok) throw oauthErrorFromBody(ctx, response.status, error, response.headers);
      const body = asObject(data, ctx, response.status);
      if (typeof body.active !== "boolean") {
        throw new ResponseParseError("introspection active is not a boolean", {
          provider: ctx.provider,
          operation: ctx.operation,
          status: response.status,
        });
      }
      return body as IntrospectionResponse;
    };
  }

  if (available.clientCredentials) {
    Object.assign(adapter, { clientCredentialsTokenTypes: ["app"] });
    adapter.clientCredentials = ({ scopes }, ctx) =>
      tokenRequest(
        { grant_type: "client_credentials", ...(scopes.length > 0 ? { scope: scopes.join(" ") } : {}) },
        ctx,
      );
  }

  return adapter;
}

function chooseClientAuth(options: OAuth2ClientSettings, metadata: OAuth2Metadata): ClientAuthMethod {
  const chosen = options.clientAuth;
  if (chosen !== undefined && !AUTH_METHODS.includes(chosen)) {
    throw new TypeError(`${options.id}: clientAuth must be one of ${AUTH_METHODS.join(", ")}`);
  }
  const hasSecret = typeof options.clientSecret === "string" && options.clientSecret.length > 0;
  if (chosen === "none" || (chosen === undefined && !hasSecret)) return "none";
  if (!hasSecret) throw new TypeError(`${options.id}: clientAuth ${chosen} needs a clientSecret`);
  if (chosen) return chosen;
  // RFC 8414 §2: an absent list means client_secret_basic.
  const listed = metadata.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
  return listed.includes("client_secret_basic") || !listed.includes("client_secret_post")
    ? "client_secret_basic"
    : "client_secret_post";
}

function checkRefreshTokens(value: RefreshTokenBehaviour): void {
  if (value === "none" || value === "reusable" || value === "single-use") return;
  const graceMs = (value as { rotating?: { graceMs?: unknown } })?.rotating?.graceMs;
  if (typeof graceMs === "number" && Number.isFinite(graceMs) && graceMs >= 0) return;
  throw new TypeError('refreshTokens must be "none", "reusable", "single-use" or { rotating: { graceMs } }');
}

function parseJson(text: unknown): unknown {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Normalizes an RFC 6749 §5.1 token response. No `subject`: an id_token is not verified here. */
function parseToken(data: unknown, status: number, ctx: RequestContext, now: number): OAuth2Token {
  const body = asObject(data, ctx, status);
  noteDeliveredRefreshToken(ctx, body.refresh_token);
  return {
    accessToken: requiredString(body, "access_token", ctx),
    tokenType: requiredString(body, "token_type", ctx),
    refreshToken: optionalString(body, "refresh_token", ctx) || undefined,
    expiresAt: expiresAtFromSeconds(body, "expires_in", now, ctx),
    scopes: splitScopes(optionalString(body, "scope", ctx)),
    raw: body as TokenResponse,
  };
}
