import { fieldsOf, type ProviderError, providerError, type RequestContext } from "@partner-oauth/core";

/**
 * Maps the REST API's error envelope (`{"error":{type, code, errors:[{reason}]}}`, or the bare-string
 * `{"error":"bank_authorisation_expired"}` some endpoints return) to a typed error.
 */
export function apiErrorFromBody(ctx: RequestContext, status: number, body: unknown): ProviderError {
  const error = errorField(body);
  if (typeof error === "string") return providerError(ctx, { status, providerCode: error });
  const envelope = fieldsOf(error);
  return providerError(ctx, {
    status,
    code: normalizedCode(status),
    providerCode: apiErrorReason(body),
    description: typeof envelope.message === "string" ? envelope.message : undefined,
  });
}

/**
 * The reason of a REST error body: the first `errors[].reason` of the envelope (e.g. one of the three
 * 401 reasons `access_token_not_found`, `access_token_revoked`, `access_token_not_active`), else its
 * `type`, or the bare string of `{"error":"…"}`.
 */
export function apiErrorReason(body: unknown): string | undefined {
  const error = errorField(body);
  if (typeof error === "string") return error;
  const envelope = fieldsOf(error);
  const first = Array.isArray(envelope.errors)
    ? (envelope.errors[0] as Record<string, unknown> | undefined)
    : undefined;
  if (typeof first?.reason === "string") return first.reason;
  return typeof envelope.type === "string" ? envelope.type : undefined;
}

function errorField(body: unknown): unknown {
  return typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
}

function normalizedCode(status: number): string | undefined {
  if (status === 401) return "invalid_token";
  if (status === 403) return "insufficient_scope";
  if (status === 429) return "temporarily_unavailable";
  if (status >= 500) return "server_error";
  return undefined;
}
