import {
  fieldsOf,
  type OAuthOperation,
  type ProviderError,
  providerError,
  type RequestContext,
  textOf,
} from "@partner-oauth/core";

/** The first error of a Square error body, whichever of its two shapes it has. */
export interface SquareErrorInfo {
  /** `errors[0].code` of the v2 envelope, or `type` of the flat legacy body (`service.not_authorized`). */
  code: string | undefined;
  /** `errors[0].detail`, or the flat body's `message`. */
  detail: string | undefined;
}

/** Reads `{errors:[{category, code, detail, field}]}` or the flat `{message, type}` (branch on `errors`). */
export function readSquareError(body: unknown): SquareErrorInfo {
  const record = fieldsOf(body);
  if (Array.isArray(record.errors)) {
    const error = fieldsOf(record.errors[0]);
    return { code: textOf(error.code), detail: textOf(error.detail) };
  }
  return { code: textOf(record.type), detail: textOf(record.message) };
}

// Square's codes for a dead token. Said by the token endpoint they mean the code,
// refresh token or grant is dead (Square has no REFRESH_TOKEN_* code); elsewhere, the access token.
const DEAD_TOKEN = new Set(["UNAUTHORIZED", "ACCESS_TOKEN_EXPIRED", "ACCESS_TOKEN_REVOKED"]);
const BAD_CLIENT = new Set(["CLIENT_DISABLED", "APPLICATION_DISABLED"]);

/**
 * Square answers a token it does not know with 400 `NOT_FOUND`. The same code on a 404 is a route
 * nobody serves (a wrong `baseUrl`, a proxy): it says nothing about the grant, and reading it as a
 * dead grant would delete every merchant's grant on one configuration mistake.
 */
function isUnknownToken(status: number, code: string | undefined): boolean {
  return status === 400 && (code === "NOT_FOUND" || code === "not_found");
}

/** Maps a Square error answer to a typed error, from the operation plus Square's code. */
export function squareErrorFromBody(
  ctx: RequestContext,
  status: number,
  body: unknown,
  headers?: Headers,
): ProviderError {
  const { code, detail } = readSquareError(body);
  return providerError(ctx, {
    headers,
    status,
    code: normalizedCode(ctx.operation, status, code, detail),
    providerCode: code,
    description: detail,
  });
}

/** RevokeToken's answer for a token Square no longer knows: the goal, no live token, is reached. */
export function isAlreadyRevoked(status: number, body: unknown): boolean {
  const { code } = readSquareError(body);
  return code === "ACCESS_TOKEN_REVOKED" || isUnknownToken(status, code);
}

function normalizedCode(
  operation: OAuthOperation,
  status: number,
  code: string | undefined,
  detail: string | undefined,
): string | undefined {
  if (status >= 500) return "server_error";
  if (code === "service.not_authorized") {
    // One flat body serves a wrong client secret and, on refresh, a dead refresh token; only the
    // message differs. Blaming the grant wrongly would delete every merchant's grant on a config
    // error, so the client is blamed unless the message names the refresh token.
    return operation === "refresh" && /refresh token/i.test(detail ?? "")
      ? "invalid_grant"
      : "invalid_client";
  }
  if (code !== undefined && BAD_CLIENT.has(code)) return "invalid_client";
  if (
    code !== undefined &&
    (operation === "exchange" || operation === "refresh") &&
    (DEAD_TOKEN.has(code) || isUnknownToken(status, code))
  ) {
    return "invalid_grant";
  }
  if (code !== undefined && DEAD_TOKEN.has(code)) return "invalid_token";
  if (code === "INSUFFICIENT_SCOPES" || code === "FORBIDDEN") return "insufficient_scope";
  if (code === "RATE_LIMITED" || status === 429) return "temporarily_unavailable";
  if (status === 400 && code !== undefined) return "invalid_request";
  return undefined;
}
