import {
  InvalidClientError,
  InvalidGrantError,
  type OAuthErrorOptions,
  ProviderError,
  ResponseParseError,
} from "./errors.js";
import { fieldsOf, textOf } from "./normalize.js";
import type { RequestContext } from "./request-context.js";
import { parseRetryAfter } from "./retry-after.js";

export interface ProviderErrorInput {
  status: number;
  /** Normalized RFC 6749 code where one fits. */
  code?: string | undefined;
  providerCode?: string | undefined;
  description?: string | undefined;
  /** The response's headers, for `Retry-After` (429, 503). */
  headers?: Headers | undefined;
}

/** Builds the typed error for a provider's error answer: InvalidGrantError, InvalidClientError or ProviderError. */
export function providerError(ctx: RequestContext, input: ProviderErrorInput): ProviderError {
  const options: OAuthErrorOptions & { description?: string | undefined; secrets: string[] } = {
    provider: ctx.provider,
    operation: ctx.operation,
    status: input.status,
    code: input.code,
    providerCode: input.providerCode,
    description: input.description,
    secrets: ctx.secrets,
    retryAfterMs: parseRetryAfter(input.headers?.get("retry-after"), Date.now()),
  };
  if (input.code === "invalid_grant") return new InvalidGrantError(options);
  if (input.code === "invalid_client") return new InvalidClientError(options);
  return new ProviderError(options);
}

const RFC6749_CODES = new Set([
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "access_denied",
  "unsupported_response_type",
  "server_error",
  "temporarily_unavailable",
  "invalid_token",
  "insufficient_scope",
]);

/**
 * Maps an RFC 6749 §5.2 error body (`{error, error_description}`) to a typed error. A body that is
 * not that shape (HTML from a proxy, empty) still yields a ProviderError carrying the status.
 */
export function oauthErrorFromBody(
  ctx: RequestContext,
  status: number,
  body: unknown,
  headers?: Headers,
): ProviderError {
  const fields = fieldsOf(body);
  const error = textOf(fields.error);
  return providerError(ctx, {
    status,
    code: error && RFC6749_CODES.has(error) ? error : status >= 500 ? "server_error" : undefined,
    providerCode: error,
    description: textOf(fields.error_description),
    headers,
  });
}

/** Thrown by adapters when a success status carries an unusable body. */
export function unexpectedBody(ctx: RequestContext, status: number, what: string): ResponseParseError {
  return new ResponseParseError(`unexpected ${what}`, {
    provider: ctx.provider,
    operation: ctx.operation,
    status,
  });
}
