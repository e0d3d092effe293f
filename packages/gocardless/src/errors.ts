import { fieldsOf, type ProviderError, providerError, type RequestContext } from "@partner-oauth/core";

/**
 * Maps the REST API's error envelope (`{"error":{type, code, errors:[{reason}]}}`, or the bare-string
 * `{"error":"bank_authorisation_expired"}` some endpoints return) to a typed error.
 */
export function apiErrorFromBody(ctx: RequestContext, status: number, body: unknown): ProviderError {
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error === "string") return providerError(ctx, { status, providerCode: error });
  const envelope = fieldsOf(error);
  const first = Array.isArray(envelope.errors)
    ? (envelope.errors[0] as Record<string, unknown> | undefined)
    : undefined;
  const reason = typeof first?.reason === "string" ? first.reason : undefined;
  const type = typeof envelope.type === "string" ? envelope.type : undefined;
  return providerError(ctx, {
    status,
    code: normalizedCode(status),
    providerCode: reason ?? type,
    description: typeof envelope.message === "string" ? envelope.message : undefined,
  });
}

function normalizedCode(status: number): string | undefined {
  if (status === 401) return "invalid_token";
  if (status === 403) return "insufficient_scope";
  if (status === 429) return "temporarily_unavailable";
  if (status >= 500) return "server_error";
  return undefined;
}
