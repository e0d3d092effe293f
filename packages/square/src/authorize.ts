import { type AuthorizationUrlInput, endpointUrl, InvalidInputError } from "@partner-oauth/core";
import type { OAuthPermission, operations } from "./generated/schema.js";
import { pathsOauth2AuthorizeGetParametersQueryLocaleValues as localeValues } from "./generated/schema.js";

export type SquareLocale = NonNullable<operations["authorize"]["parameters"]["query"]["locale"]>;

/**
 * A permission an application can request: Square's documented `OAuthPermission` list
 * (`specs/square.yaml`), e.g. `MERCHANT_PROFILE_READ`, `PAYMENTS_WRITE`. Closed on purpose, so a
 * typo does not compile. Square adds permissions over time; at run time only the name's pattern is
 * checked, so one newer than this list can be requested with a cast (`"NEW_READ" as SquarePermission`).
 */
export type SquarePermission = OAuthPermission;

export interface SquareAuthorizeOptions {
  /**
   * The permissions to request. Required: omitting it would silently grant Square's default set.
   * The token's `scopes` are filled with them after the exchange, since Square's answer names none.
   */
  scopes: readonly SquarePermission[];
  /** Language of the permission form; Square detects it when omitted. */
  locale?: SquareLocale | undefined;
  /** `false` forces the seller to log in even with a live Square session (recommended in production). */
  session?: boolean | undefined;
}

const PERMISSION = /^[A-Z0-9_]+$/;

const isPermissionList = (scopes: unknown): scopes is readonly string[] =>
  Array.isArray(scopes) && scopes.length > 0 && scopes.every((s) => PERMISSION.test(s));

/**
 * The requested permissions, carried in the state (`<random>.<P1>.<P2>…`) to the callback: Square's
 * ObtainToken answer does not say what was granted, and a seller accepts the requested set as a whole.
 */
export function squareStateSuffix(options: SquareAuthorizeOptions | undefined): string | undefined {
  const scopes = options?.scopes;
  return isPermissionList(scopes) ? [...new Set(scopes)].join(".") : undefined;
}

/** The permissions a callback's (verified) state carries; none when it carries no valid list. */
export function requestedScopes(callbackParams: URLSearchParams): string[] {
  const [, ...scopes] = callbackParams.get("state")?.split(".") ?? [];
  return isPermissionList(scopes) ? scopes : [];
}

/**
 * Builds `GET /oauth2/authorize`. In the PKCE flow only `code_challenge` is sent: Square documents no
 * `code_challenge_method`, and the challenge is S256. `redirect_uri` goes out only when configured, because one sent here
 * must be sent again to ObtainToken.
 */
export function squareAuthorizationUrl(
  host: string,
  app: { clientId: string; redirectUri: string | undefined; pkce: boolean },
  { state, codeChallenge, options }: AuthorizationUrlInput<SquareAuthorizeOptions>,
): URL {
  const meta = { provider: "square", operation: "authorize" as const };
  const scopes = options?.scopes;
  if (!isPermissionList(scopes)) {
    throw new InvalidInputError(
      "scopes must be a non-empty list of permission names such as PAYMENTS_READ",
      meta,
    );
  }
  if (options.locale !== undefined && !localeValues.includes(options.locale)) {
    throw new InvalidInputError(`locale must be one of ${localeValues.join(", ")}`, meta);
  }
  // Square picks the flow from this URL: a challenge makes it PKCE, whose exchange sends the verifier
  // and no secret. The public adapter therefore always needs one, the code-flow adapter never sends one.
  if (app.pkce && !codeChallenge) throw new InvalidInputError("a PKCE code challenge is required", meta);
  const url = endpointUrl(host, "/oauth2/authorize");
  const query = url.searchParams;
  query.set("client_id", app.clientId);
  query.set("scope", scopes.join(" "));
  query.set("state", state);
  if (app.pkce && codeChallenge) query.set("code_challenge", codeChallenge);
  if (app.redirectUri) query.set("redirect_uri", app.redirectUri);
  if (options.locale) query.set("locale", options.locale);
  if (options.session !== undefined) query.set("session", String(options.session));
  return url;
}
