import {
  checkNoticeAge,
  concatBytes,
  constantTimeEqual,
  DEFAULT_WEBHOOK_MAX_AGE_MS,
  hmac,
  type RawBody,
  type RevocationNotice,
  readRawBody,
  toBase64,
  type WebhookRejection,
  WebhookVerificationError,
} from "@partner-oauth/core";
import type {
  OauthAuthorizationRevokedEvent,
  OauthAuthorizationRevokedEventRevokerType,
} from "./generated/schema.js";

// Square's scheme, as the official SDK implements it (square@46.0.0, wrapper/WebhooksHelper.js
// verifySignature, core/crypto/createHmacOverride.js): header x-square-hmacsha256-signature =
// base64(HMAC-SHA256(key = UTF-8 signature key, UTF-8 notification URL followed by the raw body)).

const PROVIDER = "square";
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const encoder = new TextEncoder();

export interface SquareWebhookOptions {
  /** The subscription's signature key (Developer Console → Webhooks → the subscription). */
  signatureKey: string;
  /**
   * The notification URL exactly as registered in the subscription (scheme, host, path, query). It
   * is part of what Square signs; behind a proxy, the URL your server sees may differ.
   */
  notificationUrl: string;
  /** Events whose `created_at` is older than this are refused as replays. Default 1 hour. */
  maxAgeMs?: number | undefined;
  /** The largest body accepted, in bytes. Default 256 KiB. */
  maxBodyBytes?: number | undefined;
  /** Epoch ms clock, for tests. */
  now?: (() => number) | undefined;
}

export interface SquareWebhookInput {
  /** The raw request body: the exact bytes Square sent, not a parsed or re-serialized object. */
  body: RawBody;
  /** The `x-square-hmacsha256-signature` header. */
  signature: string | null | undefined;
}

/** A seller's grant was revoked (by the seller, the app or Square). */
export interface SquareAuthorizationRevoked {
  type: "oauth.authorization.revoked";
  eventId: string;
  merchantId: string;
  /** When Square created the event, epoch ms. */
  createdAt: number;
  /** When the grant was revoked, epoch ms, if Square says. */
  revokedAt: number | undefined;
  revokerType: OauthAuthorizationRevokedEventRevokerType | undefined;
  /** For `oauth.applyRevocation(notice, { account })`. */
  notice: RevocationNotice;
  event: OauthAuthorizationRevokedEvent;
}

/** A verified event of another type: not an error. */
export interface SquareOtherEvent {
  type: "unknown";
  /** Square's event type, e.g. `payment.updated`. */
  eventType: string;
  eventId: string | undefined;
  merchantId: string | undefined;
  createdAt: number | undefined;
  event: Record<string, unknown>;
}

export type SquareWebhookEvent = SquareAuthorizationRevoked | SquareOtherEvent;

/**
 * Verifies a Square webhook against the raw body and parses it. Throws `WebhookVerificationError`
 * for a missing or wrong signature (flipped bit, wrong key, wrong notification URL, truncated body),
 * a body too large, not UTF-8 or not a JSON event, and an event older than `maxAgeMs`.
 */
export async function verifySquareWebhook(
  input: SquareWebhookInput,
  options: SquareWebhookOptions,
): Promise<SquareWebhookEvent> {
  if (!options?.signatureKey || !options.notificationUrl) {
    throw new TypeError("verifySquareWebhook needs the subscription's signatureKey and notificationUrl");
  }
  const signature = input?.signature;
  if (typeof signature !== "string" || signature.length === 0) {
    throw reject("webhook has no x-square-hmacsha256-signature header", "missing_signature");
  }
  const { bytes, text } = readRawBody(input.body, PROVIDER, options.maxBodyBytes);
  const key = encoder.encode(options.signatureKey);
  const ours = toBase64(
    await hmac("SHA-256", key, concatBytes(encoder.encode(options.notificationUrl), bytes)),
  );
  // A malformed header is compared anyway: the answer must not depend on where it differs.
  if (!constantTimeEqual(ours, signature) || !SIGNATURE.test(signature)) {
    throw reject(
      "x-square-hmacsha256-signature does not match the body and notification URL",
      "signature_mismatch",
    );
  }
  const event = readEvent(text);
  if (event.createdAt !== undefined) {
    checkNoticeAge(event.createdAt, {
      provider: PROVIDER,
      now: (options.now ?? Date.now)(),
      maxAgeMs: options.maxAgeMs ?? DEFAULT_WEBHOOK_MAX_AGE_MS,
    });
  }
  return event;
}

function readEvent(text: string): SquareWebhookEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw reject("webhook body is not JSON", "malformed_body");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw reject("webhook body is not a JSON object", "malformed_body");
  }
  const event = parsed as Record<string, unknown>;
  const eventType = string(event.type);
  if (!eventType) throw reject("webhook event has no type", "malformed_body");
  const createdAt = timestamp(event.created_at, "created_at");
  const eventId = string(event.event_id);
  const merchantId = string(event.merchant_id);
  if (eventType !== "oauth.authorization.revoked") {
    return { type: "unknown", eventType, eventId, merchantId, createdAt, event };
  }
  if (!merchantId || !eventId || createdAt === undefined) {
    throw reject("oauth.authorization.revoked lacks merchant_id, event_id or created_at", "malformed_body");
  }
  const revocation = objectAt(objectAt(objectAt(event, "data"), "object"), "revocation");
  const revokedAt = timestamp(revocation?.revoked_at, "revoked_at");
  const revokerType = string(revocation?.revoker_type) as
    | OauthAuthorizationRevokedEventRevokerType
    | undefined;
  return {
    type: eventType,
    eventId,
    merchantId,
    createdAt,
    revokedAt,
    revokerType,
    notice: { provider: PROVIDER, merchantId, revokedAt: revokedAt ?? createdAt },
    event: event as unknown as OauthAuthorizationRevokedEvent,
  };
}

function string(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function objectAt(
  parent: Record<string, unknown> | undefined,
  name: string,
): Record<string, unknown> | undefined {
  const value = parent?.[name];
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** RFC 3339 as Square writes it (nanoseconds included) → epoch ms; absent stays absent. */
function timestamp(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === "string" && RFC3339.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw reject(`webhook field ${field} is not an RFC 3339 timestamp`, "malformed_body");
  return ms;
}

function reject(message: string, reason: WebhookRejection): WebhookVerificationError {
  return new WebhookVerificationError(message, { provider: PROVIDER, reason });
}
