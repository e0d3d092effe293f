import {
  fieldsOf,
  oauthErrorFromBody,
  type ProviderError,
  providerError,
  type RequestContext,
  textOf,
} from "@partner-oauth/core";

/**
 * Maps a `/oauth/token` error body (`{error, error_description}`). A reused or unknown refresh token
 * is 400 `invalid_grant` "Invalid refresh token" (the server's own tests), so the core drops the grant.
 */
export function tokenErrorFromBody(
  ctx: RequestContext,
  status: number,
  body: unknown,
  headers?: Headers,
): ProviderError {
  return oauthErrorFromBody(ctx, status, body, headers);
}

/**
 * Maps an answer of the GraphQL endpoint to a typed error: a GraphQL `errors[]` (HTTP 400, or 200 with
 * partial data) by its first entry, or the REST envelope `{"error":{type, message}}` the API sends
 * before GraphQL runs (401 `jwt_expired`, 429 rate limit).
 */
export function apiErrorFromBody(ctx: RequestContext, status: number, body: unknown): ProviderError {
  const { errors, error } = fieldsOf(body);
  if (Array.isArray(errors) && errors.length > 0) {
    const first = fieldsOf(errors[0]);
    return providerError(ctx, {
      status,
      code: status === 400 ? "invalid_request" : undefined,
      providerCode: textOf(fieldsOf(first.extensions).code),
      description: textOf(first.message),
    });
  }
  const envelope = fieldsOf(error);
  return providerError(ctx, {
    status,
    code: status === 401 ? "invalid_token" : status >= 500 ? "server_error" : undefined,
    providerCode: textOf(envelope.type),
    description: textOf(envelope.message),
  });
}
