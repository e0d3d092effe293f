import type { Refreshing } from "./refreshing.js";
import type { RequestContext } from "./request-context.js";
import type { RevocationNotices } from "./revocation.js";
import type { TokenData } from "./token.js";

/** Input the facade gives an adapter to build the authorization URL. */
export interface AuthorizationUrlInput<TOptions> {
  state: string;
  /** Present when the adapter declares PKCE support. */
  codeChallenge?: string | undefined;
  options: TOptions;
}

/** Input for exchanging an authorization code. */
export interface CodeExchangeInput {
  code: string;
  codeVerifier?: string | undefined;
  /** All parameters of the callback, for providers that send more than `code` (Braintree's `merchantId`). */
  callbackParams: URLSearchParams;
}

/**
 * How a provider's refresh tokens behave, which decides how carefully they must be handled:
 * - `none`: the provider issues no refresh tokens (GoCardless);
 * - `reusable`: the same refresh token works again and again (Square's code flow);
 * - `single-use`: every refresh returns a new refresh token and kills the one used (Braintree,
 *   TrueLayer, Open Collective, Square's PKCE flow);
 * - `{ rotating: { graceMs } }`: every refresh returns a new refresh token and the one used keeps
 *   working for `graceMs` (Xero: 30 minutes).
 * A rotating or single-use refresh token is refreshed only under the key's lease of a shared store.
 */
export type RefreshTokenBehaviour =
  | "none"
  | "reusable"
  | "single-use"
  | { readonly rotating: { readonly graceMs: number } };

/**
 * What every provider adapter implements: the authorization URL and the code exchange. Further
 * capabilities are separate interfaces so the facade's type only offers what the provider has.
 */
export interface ProviderAdapter<
  TAuthorizeOptions = unknown,
  TTokenType extends string = string,
  TRaw = unknown,
> {
  /** Stable id, part of every store key (`gocardless`, `square`, ...). */
  readonly id: string;
  /** The store slot a code-flow token goes to (TrueLayer: `data`; most providers: `default`). */
  readonly codeFlowTokenType: TTokenType;
  /** Whether the authorization request carries a PKCE S256 challenge. */
  readonly pkce: "S256" | "none";
  /** How the provider's refresh tokens behave (`none` when it has no refresh). */
  readonly refreshTokens: RefreshTokenBehaviour;
  /**
   * How long a refresh token lives from its issue or last use, where the provider documents it
   * (TrueLayer: used within 30 days; Braintree: 180 days). With the provider's own
   * `refreshTokenExpiresAt` it sets each record's `refreshDueAt`, which `sweep` keeps alive.
   */
  readonly refreshTokenLifetimeMs?: number | undefined;
  /**
   * The authorization server's issuer identifier (RFC 8414). When set, a callback's `iss` parameter
   * (RFC 9207) must equal it: a mix-up attack sends one server's code to another server's callback.
   */
  readonly issuer?: string | undefined;
  /**
   * The server says it always sends `iss` on the callback (RFC 9207's
   * `authorization_response_iss_parameter_supported`): a callback without one is refused.
   */
  readonly authorizationResponseIssParameterSupported?: boolean | undefined;
  authorizationUrl(input: AuthorizationUrlInput<TAuthorizeOptions>): URL;
  /**
   * Optional: what the authorize URL asked for that the token response will not say (Square's
   * requested permissions). The facade appends it to the random state after a `.`; the callback
   * checks the whole state, and `exchangeCode` reads it back from `callbackParams`. Called before
   * `authorizationUrl`, with options it has not checked yet. Only `[A-Za-z0-9_.~-]`, at most 1,024
   * characters; anything else is left out.
   */
  stateSuffix?(options: TAuthorizeOptions): string | undefined;
  exchangeCode(input: CodeExchangeInput, ctx: RequestContext): Promise<TokenData<TRaw>>;
}

/** The provider issues refresh tokens. A rejected refresh token must surface as InvalidGrantError. */
export interface RefreshCapability<TRaw = unknown> {
  /**
   * The core's refresh machinery: set it to `refreshing` from `@partner-oauth/core`. The adapter
   * brings it so that a facade over a provider without refresh carries none of it.
   */
  readonly refreshing: Refreshing;
  refreshToken(token: TokenData<TRaw>, ctx: RequestContext): Promise<TokenData<TRaw>>;
}

/**
 * The provider tells the app when a merchant revokes its grant (Braintree's webhook, Square's
 * event); the provider package verifies the notices and the facade applies them.
 */
export interface RevocationNoticeCapability {
  /** The core's machinery for them: set it to `revocationNotices` from `@partner-oauth/core`. */
  readonly revocationNotices: RevocationNotices;
}

/** The provider can revoke a token. Revoking an already-invalid token resolves. */
export interface RevokeCapability<TRaw = unknown> {
  revokeToken(token: TokenData<TRaw>, ctx: RequestContext): Promise<void>;
}

/** The provider can tell whether a token is alive and what it grants. */
export interface IntrospectCapability<TRaw = unknown, TIntrospection = unknown> {
  introspectToken(token: TokenData<TRaw>, ctx: RequestContext): Promise<TIntrospection>;
}

/** The provider issues app tokens via the client-credentials grant. */
export interface ClientCredentialsCapability<
  TTokenType extends string = string,
  TScope extends string = string,
  TRaw = unknown,
> {
  readonly clientCredentialsTokenTypes: readonly TTokenType[];
  clientCredentials(
    input: { tokenType: TTokenType; scopes: readonly TScope[] },
    ctx: RequestContext,
  ): Promise<TokenData<TRaw>>;
}

/** Any adapter, with or without extra capabilities. */
export type AnyProvider = ProviderAdapter<unknown, string, unknown>;

export type AuthorizeOptionsOf<P> = P extends ProviderAdapter<infer O, infer _T, infer _R> ? O : never;
export type TokenTypeOf<P> = P extends ProviderAdapter<infer _O, infer T, infer _R> ? T : never;
export type RawOf<P> = P extends ProviderAdapter<infer _O, infer _T, infer R> ? R : never;
