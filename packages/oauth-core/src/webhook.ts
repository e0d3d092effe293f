import { WebhookVerificationError } from "./errors.js";

/**
 * Building blocks for verifying providers' webhook notifications on any runtime: Web Crypto only,
 * exact bytes in, typed errors out. The provider packages build their verifiers from them.
 */

/** A request body exactly as it arrived: the bytes the provider signed, not a re-serialized object. */
export type RawBody = string | Uint8Array | ArrayBuffer;

/** Revocation notices are a few hundred bytes; 256 KiB bounds the work for any other event. */
export const DEFAULT_MAX_WEBHOOK_BYTES = 256 * 1024;

/** A notice older than this is refused as a replay, by default (providers retry for a while). */
export const DEFAULT_WEBHOOK_MAX_AGE_MS = 60 * 60 * 1000;

/** A notice dated this far after our clock is still accepted (clock drift between hosts). */
export const WEBHOOK_CLOCK_SKEW_MS = 5 * 60 * 1000;

const encoder = new TextEncoder();

/**
 * The body's bytes and its text, checked: present, at most `maxBytes`, valid UTF-8. A parsed object
 * is refused (the signature covers bytes; a framework's JSON round trip changes them).
 */
export function readRawBody(
  body: unknown,
  provider: string,
  maxBytes = DEFAULT_MAX_WEBHOOK_BYTES,
): { bytes: Uint8Array; text: string } {
  let bytes: Uint8Array;
  if (typeof body === "string") {
    if (body.length > maxBytes) throw tooLarge(provider, maxBytes);
    bytes = encoder.encode(body);
  } else if (body instanceof Uint8Array) {
    bytes = body;
  } else if (body instanceof ArrayBuffer) {
    bytes = new Uint8Array(body);
  } else {
    throw new WebhookVerificationError(
      body === undefined || body === null
        ? "webhook body is missing"
        : "webhook body must be the raw request body (string, Uint8Array or ArrayBuffer), not a parsed object",
      { provider, reason: "missing_body" },
    );
  }
  if (bytes.byteLength === 0) {
    throw new WebhookVerificationError("webhook body is empty", { provider, reason: "missing_body" });
  }
  if (bytes.byteLength > maxBytes) throw tooLarge(provider, maxBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new WebhookVerificationError("webhook body is not valid UTF-8", {
      provider,
      reason: "body_not_utf8",
    });
  }
  return { bytes, text };
}

function tooLarge(provider: string, maxBytes: number) {
  return new WebhookVerificationError(`webhook body is larger than ${maxBytes} bytes`, {
    provider,
    reason: "body_too_large",
  });
}

/** HMAC of `data` under `key` with Web Crypto (`SHA-1` only where a provider's scheme requires it). */
export async function hmac(
  hash: "SHA-1" | "SHA-256",
  key: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", key as BufferSource, { name: "HMAC", hash }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data as BufferSource));
}

/** A digest of `data` with Web Crypto. */
export async function digest(hash: "SHA-1" | "SHA-256", data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(hash, data as BufferSource));
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** Standard base64 (with padding) of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The bytes of `a` followed by those of `b`. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

/**
 * Refuses a notice dated more than `maxAgeMs` before `now` (a replay of an old, validly signed
 * notice) or more than the clock skew after it.
 */
export function checkNoticeAge(
  timestamp: number,
  options: { provider: string; now: number; maxAgeMs: number },
): void {
  const { provider, now, maxAgeMs } = options;
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0) {
    throw new RangeError("maxAgeMs must be a finite number >= 0");
  }
  if (timestamp < now - maxAgeMs) {
    throw new WebhookVerificationError(`webhook notice is older than ${maxAgeMs} ms: refused as a replay`, {
      provider,
      reason: "stale",
    });
  }
  if (timestamp > now + WEBHOOK_CLOCK_SKEW_MS) {
    throw new WebhookVerificationError("webhook notice is dated in the future", {
      provider,
      reason: "stale",
    });
  }
}
