import {
  AuthorizationDeniedError,
  InvalidCallbackError,
  InvalidInputError,
  StateMismatchError,
} from "./errors.js";
import { constantTimeEqual } from "./state.js";

/** A redirect back from the provider: its full URL, or its parameters (a `form_post` body). */
export type CallbackInput = string | URL | URLSearchParams;

/** The validated result of a callback: the code and every parameter the provider sent. */
export interface VerifiedCallback {
  code: string;
  params: URLSearchParams;
}

/** What the callback's `iss` parameter (RFC 9207) is checked against. */
export interface CallbackIssuer {
  /** The issuer identifier the callback's `iss` must equal, when present. */
  issuer?: string | undefined;
  /** Refuse a callback without `iss` (the server advertises that it always sends one). */
  required?: boolean | undefined;
}

/**
 * Checks a callback before any network call: the state first (constant time; a forged callback
 * must not learn whether it carried an error), then the issuer (RFC 9207: an error from the wrong
 * server is as suspect as a code from it), then `error=`, then the code.
 */
export function verifyCallback(
  provider: string,
  callback: CallbackInput,
  expectedState: string,
  issuer: CallbackIssuer = {},
): VerifiedCallback {
  const meta = { provider, operation: "callback" as const };
  if (typeof expectedState !== "string" || expectedState.length === 0) {
    throw new InvalidInputError("expectedState is required: pass the state returned by authorize()", meta);
  }
  const params = callbackParams(callback, meta);
  // Two values of one of these make the callback ambiguous (which code, which state?): a proxy or an
  // attacker appended one. Taking the first silently would let the two disagree on what was checked.
  for (const name of SINGLE_VALUED) {
    if (params.getAll(name).length > 1)
      throw new InvalidCallbackError(`callback carries ${name} twice`, meta);
  }
  const state = params.get("state");
  if (state === null) throw new StateMismatchError("callback carries no state", meta);
  if (!constantTimeEqual(state, expectedState))
    throw new StateMismatchError("callback state does not match", meta);
  checkIssuer(params.get("iss"), issuer, meta);
  const error = params.get("error");
  if (error !== null) {
    throw new AuthorizationDeniedError({
      ...meta,
      code: /^[\w.-]{1,64}$/.test(error) ? error : "invalid_error_code",
      description: sanitizeDescription(params.get("error_description")),
    });
  }
  const code = params.get("code");
  if (!code) throw new InvalidCallbackError("callback carries no authorization code", meta);
  return { code, params };
}

/**
 * RFC 9207 §2.4: a present `iss` must equal the issuer we expect (simple string comparison, no
 * normalization); a missing one is refused only where the server promised to send it. Without a
 * known issuer a present `iss` cannot be judged and is ignored, as the RFC allows. The value is the
 * attacker's text, so it is not quoted in the error.
 */
function checkIssuer(
  iss: string | null,
  expected: CallbackIssuer,
  meta: { provider: string; operation: "callback" },
): void {
  if (iss === null) {
    if (expected.required) throw new InvalidCallbackError("callback carries no iss (RFC 9207)", meta);
    return;
  }
  if (expected.issuer !== undefined && iss !== expected.issuer) {
    throw new InvalidCallbackError("callback iss does not match the authorization server's issuer", meta);
  }
}

const SINGLE_VALUED = ["state", "code", "error", "error_description", "iss"];

/**
 * A provider's `error_description` as plain text fit for a log line: markup tags and control or
 * bidirectional-override characters (CRLF log forging, terminal escapes) removed, whitespace
 * collapsed, capped at 300 characters. Anyone can craft a callback URL: this text is the attacker's.
 */
function sanitizeDescription(text: string | null): string | undefined {
  return (
    text
      ?.slice(0, 2000)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/(<[^>]*>?|[\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069<>])+/g, " ")
      .trim()
      .slice(0, 300) || undefined
  );
}

function callbackParams(
  callback: CallbackInput,
  meta: { provider: string; operation: "callback" },
): URLSearchParams {
  if (callback instanceof URLSearchParams) return callback;
  if (callback instanceof URL) return callback.searchParams;
  if (typeof callback !== "string")
    throw new InvalidCallbackError("callback must be a URL or its parameters", meta);
  try {
    return new URL(callback).searchParams;
  } catch {
    // A bare query string (`?code=…&state=…`) is accepted too.
    if (/^\??[^\s/]*=/.test(callback)) return new URLSearchParams(callback);
    throw new InvalidCallbackError("callback is not a valid URL", meta);
  }
}
