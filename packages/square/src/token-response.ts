import {
  asObject,
  noteDeliveredRefreshToken,
  optionalString,
  parseTimestamp,
  type RequestContext,
  requiredString,
  type TokenData,
} from "@partner-oauth/core";
import type { ObtainTokenResponse } from "./generated/schema.js";

/**
 * Normalizes an ObtainToken body. Square sends absolute ISO 8601 expiries, not `expires_in`, and
 * no scopes: `scopes` are the ones the caller knows were granted (requested on the authorize URL,
 * or the stored record's on a refresh); `introspect` tells the ones Square holds.
 */
export function tokenFromResponse(
  data: unknown,
  ctx: RequestContext,
  status: number,
  scopes: readonly string[],
): TokenData<ObtainTokenResponse> {
  const body = asObject(data, ctx, status);
  noteDeliveredRefreshToken(ctx, body.refresh_token);
  const refreshToken = optionalString(body, "refresh_token", ctx) || undefined;
  return {
    accessToken: requiredString(body, "access_token", ctx),
    tokenType: requiredString(body, "token_type", ctx),
    expiresAt: parseTimestamp(requiredString(body, "expires_at", ctx), "expires_at", ctx),
    // PKCE grants rotate a single-use refresh token: the one returned here replaces the stored one.
    refreshToken,
    refreshTokenExpiresAt: parseTimestamp(
      optionalString(body, "refresh_token_expires_at", ctx) || undefined,
      "refresh_token_expires_at",
      ctx,
    ),
    scopes: [...scopes],
    subject: requiredString(body, "merchant_id", ctx),
    raw: body as ObtainTokenResponse,
  };
}
