import {
  asObject,
  optionalString,
  parseTimestamp,
  type RequestContext,
  requiredString,
} from "@partner-oauth/core";
import type { ConnectionMetadata } from "./generated/schema.js";

/** The connection behind a user token, from `GET /data/v1/me`. Dates are epoch ms. */
export interface TrueLayerConnection {
  /** Stable id of the connection; survives re-authentication. */
  credentialsId: string;
  clientId: string;
  /** The bank, e.g. `ob-monzo`. */
  providerId: string;
  providerName: string | undefined;
  /** e.g. `Authorised`; can lag behind a delete, so do not use it to confirm revocation. */
  consentStatus: string | undefined;
  consentCreatedAt: number | undefined;
  consentExpiresAt: number | undefined;
  scopes: string[];
  raw: ConnectionMetadata;
}

/**
 * What `introspect` tells: a live token with its connection, or why it is not live. `invalid_token`
 * (401): the token is invalid or its connection deleted. `consent_expired` (403 `access_denied`):
 * the 90-day consent ran out or was revoked; refreshing will not help, the user must re-authorise.
 */
export type TrueLayerTokenInfo =
  | ({ active: true } & TrueLayerConnection)
  | { active: false; reason: "invalid_token" | "consent_expired" };

/** Validates a `/me` body and summarizes its single result; a malformed one is a ResponseParseError. */
export function connectionFromMe(data: unknown, status: number, ctx: RequestContext): TrueLayerConnection {
  const results = asObject(data, ctx, status).results;
  const item = asObject(Array.isArray(results) ? results[0] : undefined, ctx, status);
  const provider = asObject(item.provider, ctx, status);
  const scopes = Array.isArray(item.scopes) ? item.scopes : [];
  return {
    credentialsId: requiredString(item, "credentials_id", ctx),
    clientId: requiredString(item, "client_id", ctx),
    providerId: requiredString(provider, "provider_id", ctx),
    providerName: optionalString(provider, "display_name", ctx),
    consentStatus: optionalString(item, "consent_status", ctx),
    consentCreatedAt: parseTimestamp(
      optionalString(item, "consent_created_at", ctx),
      "consent_created_at",
      ctx,
    ),
    consentExpiresAt: parseTimestamp(
      optionalString(item, "consent_expires_at", ctx),
      "consent_expires_at",
      ctx,
    ),
    scopes: scopes.filter((scope): scope is string => typeof scope === "string"),
    raw: item as ConnectionMetadata,
  };
}
