import { type ProviderError, providerError, type RequestContext } from "@partner-oauth/core";
import { type BraintreeValidationError, readErrorResponse } from "./documents.js";

/** Braintree's OAuth validation codes (SDK `ValidationErrorCodes.OAuth`) → RFC 6749 codes. */
export const BRAINTREE_OAUTH_ERROR_CODES: Readonly<Record<string, string>> = {
  "93801": "invalid_grant", // InvalidGrant: code or refresh token unknown, expired, used or revoked
  "93802": "invalid_client", // InvalidCredentials
  "93803": "invalid_scope", // InvalidScope
  "93804": "invalid_request", // InvalidRequest
  "93805": "unsupported_grant_type", // UnsupportedGrantType
};

/**
 * Maps a failed gateway answer to a typed error. Like the SDK, only a 422 body is read (an
 * `<api-error-response>`; a malformed one throws ResponseParseError); other statuses carry no
 * body to rely on. 401 means the Basic client credentials were refused.
 */
export function braintreeError(
  ctx: RequestContext,
  status: number,
  body: unknown,
  headers?: Headers,
): ProviderError {
  if (status === 401) return providerError(ctx, { status, code: "invalid_client" });
  if (status !== 422)
    return providerError(ctx, { status, code: status >= 500 ? "server_error" : undefined, headers });
  const response = readErrorResponse(body, ctx, status);
  const error = mostTelling(response.errors);
  const code = error?.code;
  return providerError(ctx, {
    status,
    code: code === undefined ? undefined : BRAINTREE_OAUTH_ERROR_CODES[code],
    providerCode: code,
    description: error?.message ?? response.message,
  });
}

/** A dead grant outranks bad credentials, which outrank the rest: each changes what the caller must do. */
function mostTelling(errors: readonly BraintreeValidationError[]): BraintreeValidationError | undefined {
  return (
    errors.find((error) => error.code === "93801") ??
    errors.find((error) => error.code === "93802") ??
    errors[0]
  );
}
