import { fieldsOf, type ProviderError, providerError, type RequestContext } from "@partner-oauth/core";

/**
 * Maps a Data API v1 / `/api/delete` error (`{error, error_description, error_details}`) to a typed
 * error. The token endpoint uses the same shape but RFC 6749 codes: use `oauthErrorFromBody` there.
 * `error_details` is free-form and may quote request data, so it is left out.
 */
export function apiErrorFromBody(ctx: RequestContext, status: number, body: unknown): ProviderError {
  const fields = fieldsOf(body);
  return providerError(ctx, {
    status,
    code: status === 401 ? "invalid_token" : status === 403 ? "access_denied" : undefined,
    providerCode: typeof fields.error === "string" ? fields.error : undefined,
    description: typeof fields.error_description === "string" ? fields.error_description : undefined,
  });
}
