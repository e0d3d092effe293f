import {
  NetworkError,
  OAuthError,
  type OAuthOperation,
  RequestAbortedError,
  ResponseParseError,
  TimeoutError,
} from "./errors.js";
import { ResponseTooLargeError } from "./response-limit.js";

/** What a provider adapter gets for one network call. */
export interface RequestContext {
  readonly provider: string;
  readonly operation: OAuthOperation;
  /** Aborts on the caller's signal or the timeout, whichever comes first: pass it to fetch. */
  readonly signal: AbortSignal;
  /** Secret values this call sends, to be redacted from any error text. */
  readonly secrets: string[];
}

/** Default time a single request may take. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface CallOptions {
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
  /** Overrides the client's timeout for this call, in ms. */
  timeoutMs?: number | undefined;
}

/**
 * Runs one provider call with a deadline and maps whatever it throws onto the error hierarchy:
 * abort → RequestAbortedError, deadline → TimeoutError, a body that is not JSON or is too large →
 * ResponseParseError, a TypeError from fetch → NetworkError. OAuthErrors and other errors pass through
 * unchanged. `AbortSignal.timeout` uses an unreferenced timer, so a pending deadline never keeps a
 * process alive.
 */
export async function withRequestContext<T>(
  base: { provider: string; operation: OAuthOperation; timeoutMs: number },
  options: CallOptions | undefined,
  run: (ctx: RequestContext) => Promise<T>,
): Promise<T> {
  const timeoutMs = options?.timeoutMs ?? base.timeoutMs;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options?.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const ctx: RequestContext = { provider: base.provider, operation: base.operation, signal, secrets: [] };
  const meta = { provider: base.provider, operation: base.operation };
  if (options?.signal?.aborted) throw new RequestAbortedError("request cancelled by the caller", meta);
  try {
    return await run(ctx);
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    if (options?.signal?.aborted)
      throw new RequestAbortedError("request cancelled by the caller", { ...meta, cause: error });
    if (deadline.aborted)
      throw new TimeoutError(`no answer within ${timeoutMs} ms`, { ...meta, cause: error });
    if (error instanceof ResponseTooLargeError) {
      throw new ResponseParseError(error.message, { ...meta, status: error.status, cause: error });
    }
    if (error instanceof SyntaxError) {
      throw new ResponseParseError("response body is not valid JSON", { ...meta, cause: error });
    }
    // fetch rejects with a TypeError when the network fails; anything else is not ours to rename
    // (a middleware's deliberate throw, such as a contract-violation guard, or a programming error).
    if (error instanceof TypeError) {
      throw new NetworkError("request failed before an HTTP answer", { ...meta, cause: error });
    }
    throw error;
  }
}
