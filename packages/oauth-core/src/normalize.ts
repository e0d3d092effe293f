import { ResponseParseError } from "./errors.js";
import type { RequestContext } from "./request-context.js";

type Where = Pick<RequestContext, "provider" | "operation">;

/** Narrows an unknown response body to an object, or throws ResponseParseError. */
export function asObject(body: unknown, where: Where, status?: number): Record<string, unknown> {
  if (typeof body === "object" && body !== null && !Array.isArray(body))
    return body as Record<string, unknown>;
  throw new ResponseParseError(`expected a JSON object, got ${body === null ? "null" : typeof body}`, {
    ...where,
    status,
  });
}

/** A required non-empty string field, or ResponseParseError naming the field (never its value). */
export function requiredString(body: Record<string, unknown>, field: string, where: Where): string {
  const value = body[field];
  if (typeof value === "string" && value.length > 0) return value;
  throw new ResponseParseError(`response field ${field} is missing or not a non-empty string`, where);
}

/** An optional string field; a present value of another type is a parse error. */
export function optionalString(
  body: Record<string, unknown>,
  field: string,
  where: Where,
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  throw new ResponseParseError(`response field ${field} is not a string`, where);
}

/** `expires_in` seconds → epoch ms, rejecting negative, fractional-garbage or non-finite values. */
export function expiresAtFromSeconds(
  body: Record<string, unknown>,
  field: string,
  now: number,
  where: Where,
): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  const seconds = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (
    typeof seconds !== "number" ||
    !Number.isFinite(seconds) ||
    seconds < 0 ||
    seconds > 10 * 365 * 86_400
  ) {
    throw new ResponseParseError(`response field ${field} is not a valid number of seconds`, where);
  }
  return now + Math.floor(seconds * 1000);
}

/** An ISO 8601 timestamp with a zone (Square, Braintree) → epoch ms. */
export function parseTimestamp(value: string | undefined, field: string, where: Where): number | undefined {
  if (value === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
  const ms = iso.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new ResponseParseError(`response field ${field} is not an ISO 8601 timestamp`, where);
  return ms;
}

/** Splits a scope string on the provider's separator, dropping empty parts. */
export function splitScopes(value: string | undefined, separator: string | RegExp = " "): string[] {
  if (!value) return [];
  return value.split(separator).filter((scope) => scope.length > 0);
}

/**
 * The fields of an error body, leniently: an error answer of any shape must still become a typed
 * error, so a non-object gives no fields instead of a parse error.
 */
export function fieldsOf(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** A non-empty string, or `undefined` for anything else (lenient, for error bodies). */
export function textOf(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * Notes a refresh token found in a token response on the call's context, before the response's other
 * fields are checked (see `RequestContext.deliveredRefreshToken`). Anything but a non-empty string is
 * ignored.
 */
export function noteDeliveredRefreshToken(ctx: RequestContext, value: unknown): void {
  if (typeof value === "string" && value.length > 0) {
    ctx.deliveredRefreshToken = value;
    ctx.secrets.push(value);
  }
}
