import {
  checkNoticeAge,
  constantTimeEqual,
  DEFAULT_WEBHOOK_MAX_AGE_MS,
  digest,
  hmac,
  type RawBody,
  type RevocationNotice,
  readRawBody,
  toHex,
  type WebhookRejection,
  WebhookVerificationError,
} from "@partner-oauth/core";
import { childrenNamed, parseXml, type XmlElement } from "./xml.js";

// Braintree's webhook scheme, as the official SDK implements it (braintree@3.40.0,
// lib/braintree/webhook_notification_gateway.js, webhook_testing_gateway.js, digest.js):
// bt_signature = "public_key|hex(HMAC-SHA1(key = SHA1(private_key), bt_payload))", several pairs
// joined by "&"; bt_payload = base64 of the notification XML, with line feeds.

const PROVIDER = "braintree";
/** The form body: a base64 payload of an XML document capped at 64 KiB, plus the signature. */
const MAX_FORM_BYTES = 128 * 1024;
/** Base64 of the 64 KiB the XML reader accepts, with a line feed every 60 characters. */
const MAX_PAYLOAD_CHARS = 90 * 1024;
const PAYLOAD_CHARS = /^[A-Za-z0-9+/=\n]+$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export interface BraintreeWebhookOptions {
  /**
   * The partner's API public key (Control Panel → API keys of the account that owns the OAuth app).
   * Not the OAuth `client_id`: Braintree signs webhooks with the API key pair.
   */
  publicKey: string;
  /** The partner's API private key. */
  privateKey: string;
  /** Notices whose `timestamp` is older than this are refused as replays. Default 1 hour. */
  maxAgeMs?: number | undefined;
  /** Epoch ms clock, for tests. */
  now?: (() => number) | undefined;
}

/** The two form fields Braintree posts, as your framework's form parser gives them. */
export interface BraintreeWebhookFields {
  bt_signature: string | null | undefined;
  bt_payload: string | null | undefined;
}

interface NotificationBase {
  /** When Braintree triggered the webhook, epoch ms. */
  timestamp: number;
  sourceMerchantId: string | undefined;
}

/** A connected merchant revoked the app's OAuth access. */
export interface BraintreeOAuthAccessRevoked extends NotificationBase {
  kind: "oauth_access_revoked";
  merchantId: string;
  oauthApplicationClientId: string | undefined;
  /** For `oauth.applyRevocation(notice, { account })`. */
  notice: RevocationNotice;
}

/** A verified notification of another kind (disputes, disbursements, …): not an error. */
export interface BraintreeOtherNotification extends NotificationBase {
  kind: "unknown";
  /** Braintree's kind, e.g. `dispute_opened`. */
  providerKind: string;
}

export type BraintreeWebhookNotification = BraintreeOAuthAccessRevoked | BraintreeOtherNotification;

/**
 * Verifies and parses a Braintree webhook from the raw `application/x-www-form-urlencoded` body.
 * Throws `WebhookVerificationError` for a missing or wrong signature, a body too large, not UTF-8 or
 * malformed, and a notice older than `maxAgeMs`.
 */
export async function verifyBraintreeWebhook(
  body: RawBody,
  options: BraintreeWebhookOptions,
): Promise<BraintreeWebhookNotification> {
  const { text } = readRawBody(body, PROVIDER, MAX_FORM_BYTES);
  const form = new URLSearchParams(text);
  if (form.getAll("bt_signature").length > 1 || form.getAll("bt_payload").length > 1) {
    throw reject("webhook form repeats bt_signature or bt_payload", "malformed_body");
  }
  return verifyBraintreeWebhookFields(
    { bt_signature: form.get("bt_signature"), bt_payload: form.get("bt_payload") },
    options,
  );
}

/** The same, from form fields already parsed (the signature covers the decoded `bt_payload`). */
export async function verifyBraintreeWebhookFields(
  fields: BraintreeWebhookFields,
  options: BraintreeWebhookOptions,
): Promise<BraintreeWebhookNotification> {
  if (!options?.publicKey || !options.privateKey) {
    throw new TypeError("verifyBraintreeWebhook needs the partner's API publicKey and privateKey");
  }
  const signature = fields?.bt_signature;
  const payload = fields?.bt_payload;
  if (typeof signature !== "string" || signature.length === 0) {
    throw reject("webhook has no bt_signature", "missing_signature");
  }
  if (typeof payload !== "string" || payload.length === 0)
    throw reject("webhook has no bt_payload", "missing_body");
  if (payload.length > MAX_PAYLOAD_CHARS) throw reject("bt_payload is too large", "body_too_large");
  if (!PAYLOAD_CHARS.test(payload))
    throw reject("bt_payload holds characters base64 does not use", "malformed_body");

  const theirs = signatureFor(signature, options.publicKey);
  if (theirs === undefined) throw reject("bt_signature has no signature for this public key", "unknown_key");
  const key = await digest("SHA-1", latin1(options.privateKey));
  // The SDK accepts the payload's signature with and without a trailing line feed: so do we.
  const ours = await Promise.all(
    [payload, `${payload}\n`].map(async (data) => toHex(await hmac("SHA-1", key, latin1(data)))),
  );
  const matches = ours.map((candidate) => constantTimeEqual(candidate, theirs));
  if (!matches.includes(true)) throw reject("bt_signature does not match bt_payload", "signature_mismatch");

  const notification = readNotification(decodePayload(payload));
  checkNoticeAge(notification.timestamp, {
    provider: PROVIDER,
    now: (options.now ?? Date.now)(),
    maxAgeMs: options.maxAgeMs ?? DEFAULT_WEBHOOK_MAX_AGE_MS,
  });
  return notification;
}

/** The signature of the first `public_key|signature` pair naming our public key (as the SDK picks). */
function signatureFor(header: string, publicKey: string): string | undefined {
  for (const pair of header.split("&")) {
    const bar = pair.indexOf("|");
    if (bar >= 0 && pair.slice(0, bar) === publicKey) return pair.slice(bar + 1);
  }
  return undefined;
}

function decodePayload(payload: string): string {
  let binary: string;
  try {
    binary = atob(payload.replace(/\n/g, ""));
  } catch {
    throw reject("bt_payload is not base64", "malformed_body");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    throw reject("bt_payload is not UTF-8", "body_not_utf8");
  }
}

function readNotification(xml: string): BraintreeWebhookNotification {
  let root: XmlElement;
  try {
    root = parseXml(xml, { provider: PROVIDER, operation: "webhook" });
  } catch (error) {
    throw new WebhookVerificationError("bt_payload is not acceptable XML", {
      provider: PROVIDER,
      reason: "malformed_body",
      cause: error,
    });
  }
  if (root.name !== "notification") throw reject("bt_payload is not a <notification>", "malformed_body");
  const kind = leaf(root, "kind");
  const stamp = leaf(root, "timestamp");
  if (!kind || !stamp || !TIMESTAMP.test(stamp)) {
    throw reject("notification lacks a kind or a timestamp", "malformed_body");
  }
  const base = { timestamp: Date.parse(stamp), sourceMerchantId: leaf(root, "source-merchant-id") };
  if (kind !== "oauth_access_revoked") return { kind: "unknown", providerKind: kind, ...base };

  const [subject] = childrenNamed(root, "subject");
  const [revocation] = subject ? childrenNamed(subject, "oauth-application-revocation") : [];
  const merchantId = revocation ? leaf(revocation, "merchant-id") : undefined;
  if (!revocation || !merchantId) {
    throw reject("oauth_access_revoked notification names no merchant", "malformed_body");
  }
  return {
    kind,
    ...base,
    merchantId,
    oauthApplicationClientId: leaf(revocation, "oauth-application-client-id"),
    notice: { provider: PROVIDER, merchantId, revokedAt: base.timestamp },
  };
}

/** The trimmed text of the single simple child `name`; a repeated or nested one is refused. */
function leaf(parent: XmlElement, name: string): string | undefined {
  const found = childrenNamed(parent, name);
  if (found.length === 0) return undefined;
  const [element] = found;
  if (found.length > 1 || !element || element.children.length > 0) {
    throw reject(`notification element ${name} is repeated or not a simple value`, "malformed_body");
  }
  if (element.attributes.get("nil") === "true") return undefined;
  return element.text.trim() || undefined;
}

/** Bytes of a string as the SDK's `"binary"` encoding gives them (the low byte of each unit). */
function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0) & 0xff);
}

function reject(message: string, reason: WebhookRejection): WebhookVerificationError {
  return new WebhookVerificationError(message, { provider: PROVIDER, reason });
}
