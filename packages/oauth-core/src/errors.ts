import { REDACTED, redact } from "./redact.js";

/** The lifecycle step an error belongs to. */
export type OAuthOperation =
  | "authorize"
  | "callback"
  | "exchange"
  | "refresh"
  | "revoke"
  | "introspect"
  | "client_credentials"
  | "get_token"
  | "sweep"
  | "store"
  | "request"
  | "webhook";

export interface OAuthErrorOptions {
  operation: OAuthOperation;
  provider?: string | undefined;
  status?: number | undefined;
  /** Normalized RFC 6749 / RFC 6750 code where one fits, e.g. `invalid_grant`. */
  code?: string | undefined;
  /** The provider's own code, e.g. Square's `ACCESS_TOKEN_EXPIRED`. */
  providerCode?: string | undefined;
  cause?: unknown;
  /** How long the provider asked to wait before the next request (its `Retry-After`), in ms. */
  retryAfterMs?: number | undefined;
  /**
   * Secret values the call sent (client secret, code, tokens): removed from the message and the
   * provider's code, even when too short to look token-like. Never stored.
   */
  secrets?: readonly (string | undefined)[] | undefined;
}

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/**
 * Root of every error this library throws. Messages are built from fixed text and redacted provider
 * text only; the `cause` is reduced to a safe summary (a JSON parser's message can quote the body it
 * choked on, which may hold a token), so no secret reaches logs, `toJSON` or `util.inspect`.
 */
export class OAuthError extends Error {
  override name = "OAuthError";
  readonly operation: OAuthOperation;
  readonly provider: string | undefined;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly providerCode: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: OAuthErrorOptions) {
    const secrets = options.secrets ?? [];
    super(
      redact(message, secrets),
      options.cause === undefined ? undefined : { cause: safeCause(options.cause) },
    );
    this.operation = options.operation;
    this.provider = options.provider;
    this.status = options.status;
    this.code = options.code;
    this.providerCode =
      options.providerCode === undefined ? undefined : redact(options.providerCode, secrets);
    this.retryAfterMs = options.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      operation: this.operation,
      provider: this.provider,
      status: this.status,
      code: this.code,
      providerCode: this.providerCode,
      retryAfterMs: this.retryAfterMs,
      cause: this.cause instanceof Error ? { name: this.cause.name, message: this.cause.message } : undefined,
    };
  }

  override toString(): string {
    return `${this.name}: ${this.message}`;
  }

  [inspectSymbol](): string {
    const fields = Object.entries(this.toJSON())
      .filter(([key, value]) => value !== undefined && key !== "name" && key !== "message")
      .map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
    return `${this.toString()}${fields.length ? ` { ${fields.join(", ")} }` : ""}`;
  }
}

/**
 * Keeps the kind of a low-level failure (its name and a system error code) and drops its text: a
 * JSON parser's message can quote the body it choked on. Where a runtime's own words matter (a
 * failed fetch), the caller puts `describeFailure` into the message instead.
 */
function safeCause(cause: unknown): Error {
  if (cause instanceof OAuthError) return cause;
  const error = new Error(describeKind(cause));
  error.name = "Cause";
  return error;
}

function describeKind(cause: unknown): string {
  if (!(cause instanceof Error)) return typeof cause;
  const inner = (cause as { cause?: unknown }).cause;
  const code = errorCode(cause) ?? (inner instanceof Error ? errorCode(inner) : undefined);
  return code ? `${cause.name} (${code})` : cause.name;
}

const MAX_CAUSE_TEXT = 300;

/**
 * A runtime's failure in its own words, e.g. `TypeError (ECONNREFUSED): fetch failed: connect
 * ECONNREFUSED 127.0.0.1:9`: name, code, its message and its cause's, on one line, capped, redacted
 * of the call's secrets and of anything token-like. Only for failures before an HTTP answer.
 */
export function describeFailure(cause: unknown, secrets: readonly (string | undefined)[] = []): string {
  if (!(cause instanceof Error)) return typeof cause;
  const inner = (cause as { cause?: unknown }).cause;
  const text = [describeKind(cause), cause.message, inner instanceof Error && inner.message]
    .filter(Boolean)
    .join(": ")
    // Control characters (CR, LF, ANSI escapes) would let a message forge log lines.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ");
  // Redacted before it is cut, so a secret is never cut into pieces short enough to survive.
  return redact(text, secrets).slice(0, MAX_CAUSE_TEXT);
}

function errorCode(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^[A-Z_0-9]{2,40}$/.test(code) ? code : undefined;
}

/** The provider answered with an error body (RFC 6749 JSON, Square's `errors[]`, Braintree XML, ...). */
export class ProviderError extends OAuthError {
  override name = "ProviderError";
  /** The provider's description, with anything token-like removed. */
  readonly description: string | undefined;

  constructor(options: OAuthErrorOptions & { description?: string | undefined }) {
    const description =
      options.description === undefined ? undefined : redact(options.description, options.secrets);
    const what = options.code ?? options.providerCode ?? "error";
    super(
      `${options.provider ?? "provider"} ${options.operation} failed with ${options.status ?? "?"} ${what}${description ? `: ${description}` : ""}`,
      options,
    );
    this.description = description;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), description: this.description };
  }
}

/** The code, refresh token or grant is invalid, expired, used or revoked (RFC 6749 `invalid_grant`). */
export class InvalidGrantError extends ProviderError {
  override name = "InvalidGrantError";
}

/** Client authentication failed: wrong client id or secret (RFC 6749 `invalid_client`). */
export class InvalidClientError extends ProviderError {
  override name = "InvalidClientError";
}

/** The grant behind a stored token is gone; the merchant must connect again. The grant was removed from the store. */
export class ReauthorizationRequiredError extends OAuthError {
  override name = "ReauthorizationRequiredError";
  readonly account: string | undefined;
  constructor(message: string, options: OAuthErrorOptions & { account?: string | undefined }) {
    super(message, options);
    this.account = options.account;
  }
}

/** The provider redirected back with `error=` (the user denied access, or the flow failed). */
export class AuthorizationDeniedError extends OAuthError {
  override name = "AuthorizationDeniedError";
  readonly description: string | undefined;
  constructor(options: OAuthErrorOptions & { description?: string | undefined }) {
    const description = options.description === undefined ? undefined : redact(options.description);
    super(`authorization failed: ${options.code}${description ? `: ${description}` : ""}`, options);
    this.description = description;
  }
}

/** The callback's `state` does not match the one issued: possible CSRF, or a stale tab. */
export class StateMismatchError extends OAuthError {
  override name = "StateMismatchError";
}

/** The callback URL lacks what the flow needs (no `code`, no `state`, malformed URL). */
export class InvalidCallbackError extends OAuthError {
  override name = "InvalidCallbackError";
}

/** The request never got an HTTP answer (DNS, refused, reset). Not retried automatically. */
export class NetworkError extends OAuthError {
  override name = "NetworkError";
}

/**
 * The runtime refused to build the request before sending anything (a malformed `baseUrl` or
 * header value, or a request option the runtime does not support): a configuration or
 * compatibility problem, not a network fault, so retrying will not help. The runtime's own
 * message is in the message and the cause.
 */
export class RequestBuildError extends OAuthError {
  override name = "RequestBuildError";
}

/** No answer within the timeout. */
export class TimeoutError extends OAuthError {
  override name = "TimeoutError";
}

/** The caller's AbortSignal cancelled the request. */
export class RequestAbortedError extends OAuthError {
  override name = "RequestAbortedError";
}

/** The provider answered with a body that is not what its API documents (HTML, truncated JSON, missing fields). */
export class ResponseParseError extends OAuthError {
  override name = "ResponseParseError";
}

/**
 * The provider answered with a redirect (a 3xx status, or an opaque redirect with status 0 where the
 * runtime hides it). Token requests never follow redirects: one could carry the client secret or a
 * code to another host. `status` is the answer's status.
 */
export class UnexpectedRedirectError extends ResponseParseError {
  override name = "UnexpectedRedirectError";
}

/** No token is stored for this account and token type. */
export class TokenNotFoundError extends OAuthError {
  override name = "TokenNotFoundError";
}

/** Bad input from the caller (empty account, unknown token type, malformed options). */
export class InvalidInputError extends OAuthError {
  override name = "InvalidInputError";
}

/** The provider does not support this operation (reached only when types were bypassed). */
export class UnsupportedOperationError extends OAuthError {
  override name = "UnsupportedOperationError";
}

/**
 * The token store failed: unreachable, a dropped connection, a statement that errored. Nothing was
 * deleted because of it. `retryable` says whether the same call may succeed later (a connection
 * failure) or not (a missing table, a permission error).
 */
export class StoreError extends OAuthError {
  override name = "StoreError";
  readonly retryable: boolean;
  constructor(message: string, options: Omit<OAuthErrorOptions, "operation"> & { retryable: boolean }) {
    super(message, { ...options, operation: "store" });
    this.retryable = options.retryable;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryable: this.retryable };
  }
}

/**
 * Another process holds this grant's refresh and did not finish within the wait budget (the lease
 * TTL plus the refresh timeout and write budget). Nothing changed; retry later.
 */
export class RefreshPendingError extends OAuthError {
  override name = "RefreshPendingError";
  readonly retryable = true;
}

/**
 * The provider issued a new token, but it could not be stored (the store kept failing, or a newer
 * record replaced the one refreshed). The caller gets no token the store does not hold; the new pair
 * went to `onUnpersistedToken`, where an app can keep it.
 */
export class TokenNotPersistedError extends OAuthError {
  override name = "TokenNotPersistedError";
}

/**
 * A stored secret could not be decrypted: tampered with, copied from another record or field, under a
 * key no longer in the ring, or plaintext where an envelope belongs. Names the key id, never the key.
 * Nothing was deleted: restore the key or the record, or connect the account again.
 */
export class TokenDecryptionError extends OAuthError {
  override name = "TokenDecryptionError";
  /** The key id the envelope names (absent when the value is no envelope or the id is unreadable). */
  readonly keyId: string | undefined;
  /** Which field failed: `accessToken`, `refreshToken` or `raw`. */
  readonly field: string;
  constructor(message: string, options: { field: string; keyId?: string | undefined }) {
    super(message, { operation: "store" });
    this.keyId = options.keyId;
    this.field = options.field;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), keyId: this.keyId, field: this.field };
  }
}

/** Why a webhook notification was refused. */
export type WebhookRejection =
  | "missing_signature"
  | "missing_body"
  | "body_too_large"
  | "body_not_utf8"
  | "malformed_body"
  | "signature_mismatch"
  | "unknown_key"
  | "stale";

/**
 * A webhook notification failed verification or parsing: no signature, a signature that does not
 * match (flipped bit, wrong key, wrong notification URL, truncated body), a body too large or not
 * UTF-8, or a notice older than the replay window. Nothing was applied. The message names the check,
 * never the key, the signature or the body.
 */
export class WebhookVerificationError extends OAuthError {
  override name = "WebhookVerificationError";
  readonly reason: WebhookRejection;
  constructor(message: string, options: { provider: string; reason: WebhookRejection; cause?: unknown }) {
    super(message, { operation: "webhook", provider: options.provider, cause: options.cause });
    this.reason = options.reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

export { REDACTED };
