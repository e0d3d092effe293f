import {
  asObject,
  expiresAtFromSeconds,
  noteDeliveredRefreshToken,
  optionalString,
  type RequestContext,
  requiredString,
  splitScopes,
  type TokenData,
  unexpectedBody,
} from "@partner-oauth/core";
import type { TokenResponse } from "./generated/schema.js";

export type TrueLayerToken = TokenData<TokenResponse>;

/**
 * Normalizes a `/connect/token` success body (all three grants share it). `expires_in` is required:
 * a TrueLayer token always expires, and treating one as immortal would hand out dead tokens.
 */
export function tokenFromResponse(
  data: unknown,
  status: number,
  now: number,
  ctx: RequestContext,
): TrueLayerToken {
  const body = asObject(data, ctx, status);
  noteDeliveredRefreshToken(ctx, body.refresh_token);
  const tokenType = requiredString(body, "token_type", ctx);
  if (tokenType.toLowerCase() !== "bearer") throw unexpectedBody(ctx, status, "token_type");
  const expiresAt = expiresAtFromSeconds(body, "expires_in", now, ctx);
  if (expiresAt === undefined) throw unexpectedBody(ctx, status, "token response without expires_in");
  return {
    accessToken: requiredString(body, "access_token", ctx),
    tokenType,
    refreshToken: optionalString(body, "refresh_token", ctx),
    expiresAt,
    scopes: splitScopes(optionalString(body, "scope", ctx)),
    raw: body as TokenResponse,
  };
}
