import { type AuthorizationUrlInput, endpointUrl, InvalidInputError } from "@partner-oauth/core";
import type { DataScope } from "./generated/schema.js";
import { dataScopes } from "./scopes.js";

export interface TrueLayerAuthorizeOptions {
  /** Data API v1 scopes; add `offline_access` to get a refresh token. */
  scopes: readonly DataScope[];
  /** Provider ids and groups for the picker, e.g. `["uk-ob-all", "uk-oauth-all"]`; sandbox: `["uk-cs-mock"]`. */
  providers?: readonly string[] | undefined;
  /** Pre-selects one bank and skips the picker; `providers` must cover it. */
  providerId?: string | undefined;
  /** `form_post`: the result arrives as a form POST; pass its body (URLSearchParams) to handleCallback. */
  responseMode?: "form_post" | undefined;
  /** Opaque replay-protection value. */
  nonce?: string | undefined;
  /** Legacy sandbox mock-bank filter; prefer `providers: ["uk-cs-mock"]`. */
  enableMock?: boolean | undefined;
}

interface AuthLinkConfig {
  host: string;
  clientId: string;
  redirectUri: string;
}

/** Builds the auth link (the auth host's root) with state and the PKCE S256 challenge. */
export function authLink(
  config: AuthLinkConfig,
  { state, codeChallenge, options }: AuthorizationUrlInput<TrueLayerAuthorizeOptions>,
): URL {
  const meta = { provider: "truelayer", operation: "authorize" as const };
  const scopes = options?.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => dataScopes.includes(s))) {
    throw new InvalidInputError(`scopes must be a non-empty list of ${dataScopes.join(", ")}`, meta);
  }
  const providers = options.providers ?? [];
  if (!Array.isArray(providers) || !providers.every((id) => typeof id === "string" && /^\S+$/.test(id))) {
    throw new InvalidInputError("providers must be a list of ids without spaces", meta);
  }
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: scopes.join(" "),
    state,
  });
  if (providers.length > 0) query.set("providers", providers.join(" "));
  if (options.providerId) query.set("provider_id", options.providerId);
  if (options.responseMode) query.set("response_mode", options.responseMode);
  if (options.nonce) query.set("nonce", options.nonce);
  if (options.enableMock !== undefined) query.set("enable_mock", String(options.enableMock));
  if (codeChallenge) {
    query.set("code_challenge", codeChallenge);
    query.set("code_challenge_method", "S256");
  }
  const url = endpointUrl(config.host, "/");
  // TrueLayer's own links encode spaces as %20; URLSearchParams writes `+` (a literal + is %2B).
  url.search = query.toString().replace(/\+/g, "%20");
  return url;
}
