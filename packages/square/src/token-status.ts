import {
  asObject,
  optionalString,
  parseTimestamp,
  type RequestContext,
  requiredString,
  unexpectedBody,
} from "@partner-oauth/core";
import { readSquareError } from "./errors.js";
import type { Permission, RetrieveTokenStatusResponse } from "./generated/schema.js";

/** RetrieveTokenStatus for a token Square accepts. */
export interface SquareActiveTokenStatus {
  active: true;
  /** The permissions the token grants. */
  scopes: Permission[];
  /** Epoch ms; `undefined` for a token that never expires (a personal access token). */
  expiresAt: number | undefined;
  /** The application the token was issued to. */
  clientId: string;
  merchantId: string;
  raw: RetrieveTokenStatusResponse;
}

/**
 * A token Square refuses (401) or that has expired by the adapter's clock. `expired`: refresh it;
 * `revoked`: the seller must authorize again; `invalid`: unknown or malformed, refresh or re-authorize.
 */
export interface SquareInactiveTokenStatus {
  active: false;
  reason: "expired" | "revoked" | "invalid";
  /** Square's code, e.g. `ACCESS_TOKEN_EXPIRED`; absent when the clock, not Square, said expired. */
  providerCode: string | undefined;
  /** The stored merchant, for the caller's bookkeeping. */
  merchantId: string | undefined;
}

export type SquareTokenStatus = SquareActiveTokenStatus | SquareInactiveTokenStatus;

/** Normalizes a 200 body; `expires_at` is empty or absent for tokens that never expire. */
export function statusFromResponse(
  data: unknown,
  ctx: RequestContext,
  status: number,
  now: number,
): SquareTokenStatus {
  const body = asObject(data, ctx, status);
  const scopes = body.scopes;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === "string")) {
    throw unexpectedBody(ctx, status, "scopes in the token status");
  }
  const expiresAt = parseTimestamp(optionalString(body, "expires_at", ctx) || undefined, "expires_at", ctx);
  const merchantId = requiredString(body, "merchant_id", ctx);
  if (expiresAt !== undefined && expiresAt <= now) {
    return { active: false, reason: "expired", providerCode: undefined, merchantId };
  }
  return {
    active: true,
    scopes: [...scopes],
    expiresAt,
    clientId: requiredString(body, "client_id", ctx),
    merchantId,
    raw: body as RetrieveTokenStatusResponse,
  };
}

/** A 401 from RetrieveTokenStatus is the answer "not active", not a failure of the question. */
export function inactiveStatus(body: unknown, merchantId: string | undefined): SquareInactiveTokenStatus {
  const { code } = readSquareError(body);
  const reason =
    code === "ACCESS_TOKEN_EXPIRED" ? "expired" : code === "ACCESS_TOKEN_REVOKED" ? "revoked" : "invalid";
  return { active: false, reason, providerCode: code, merchantId };
}
