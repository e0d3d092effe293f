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

/**
 * Checks a callback before any network call: the state first (constant time; a forged callback
 * must not learn whether it carried an error), then `error=`, then the code.
 */
export function verifyCallback(
  provider: string,
  callback: CallbackInput,
  expectedState: string,
): VerifiedCallback {
  const meta = { provider, operation: "callback" as const };
  if (typeof expectedState !== "string" || expectedState.length === 0) {
    throw new InvalidInputError("expectedState is required: pass the state returned by authorize()", meta);
  }
  const params = callbackParams(callback, meta);
  const state = params.get("state");
  if (state === null) throw new StateMismatchError("callback carries no state", meta);
  if (!constantTimeEqual(state, expectedState))
    throw new StateMismatchError("callback state does not match", meta);
  const error = params.get("error");
  if (error !== null) {
    throw new AuthorizationDeniedError({
      ...meta,
      code: /^[\w.-]{1,64}$/.test(error) ? error : "invalid_error_code",
      description: params.get("error_description") ?? undefined,
    });
  }
  const code = params.get("code");
  if (!code) throw new InvalidCallbackError("callback carries no authorization code", meta);
  return { code, params };
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
