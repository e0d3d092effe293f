import { eitherSignal } from "./either-signal.js";
import {
  describeFailure,
  InvalidInputError,
  NetworkError,
  OAuthError,
  type OAuthErrorOptions,
  type OAuthOperation,
  RequestAbortedError,
  RequestBuildError,
  ResponseParseError,
  TimeoutError,
  UnexpectedRedirectError,
} from "./errors.js";
import { RedirectRefusedError } from "./refuse-redirects.js";
import { isRequestBuildFailure } from "./request-build.js";
import { ResponseTooLargeError } from "./response-limit.js";

/** What a provider adapter gets for one network call. */
export interface RequestContext {
  readonly provider: string;
  readonly operation: OAuthOperation;
  /** Aborts on the caller's signal or the timeout, whichever comes first: pass it to fetch. */
  readonly signal: AbortSignal;
  /** Secret values this call sends, to be redacted from any error text. */
  readonly secrets: string[];
  /**
   * A refresh token the provider's answer carried, noted by the adapter (`noteDeliveredRefreshToken`)
   * before it checks the other fields: if one of them fails, the core still stores this one, since
   * the provider may already have killed the refresh token it replaces.
   */
  deliveredRefreshToken?: string | undefined;
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
 * ResponseParseError, a redirect → UnexpectedRedirectError, a Request the runtime refused to build →
 * RequestBuildError, a TypeError from fetch → NetworkError (the last two keep the runtime's own
 * message, redacted). OAuthErrors and other errors pass through unchanged. `AbortSignal.timeout` uses an unreferenced timer, so a pending deadline never keeps a
 * process alive.
 */
export async function withRequestContext<T>(
  base: { provider: string; operation: OAuthOperation; timeoutMs: number },
  options: CallOptions | undefined,
  run: (ctx: RequestContext) => Promise<T>,
): Promise<T> {
  const meta = { provider: base.provider, operation: base.operation };
  checkCallOptions(options, meta);
  const timeoutMs = options?.timeoutMs ?? base.timeoutMs;
  const deadline = AbortSignal.timeout(timeoutMs);
  const combined = options?.signal ? eitherSignal(options.signal, deadline) : undefined;
  const signal = combined?.signal ?? deadline;
  const ctx: RequestContext = { provider: base.provider, operation: base.operation, signal, secrets: [] };
  try {
    // Raced against the signal too: an adapter or store that ignores it must not hang the caller.
    // Started inside a promise chain: an adapter that returns a plain value or throws synchronously
    // (a hand-written JavaScript one) is handled like an async one.
    return await untilAborted(
      Promise.resolve().then(() => run(ctx)),
      signal,
    );
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    const stopped = whyStopped(options?.signal, deadline, timeoutMs, { ...meta, cause: error });
    if (stopped) throw stopped;
    if (error instanceof ResponseTooLargeError) {
      throw new ResponseParseError(error.message, { ...meta, status: error.status, cause: error });
    }
    if (error instanceof RedirectRefusedError) {
      throw new UnexpectedRedirectError(error.message, { ...meta, status: error.status, cause: error });
    }
    if (error instanceof SyntaxError) {
      throw new ResponseParseError("response body is not valid JSON", { ...meta, cause: error });
    }
    // fetch rejects with a TypeError when the network fails, and so does building a Request the
    // runtime refuses (marked by buildingRequest); anything else is not ours to rename (a
    // middleware's deliberate throw, such as a contract-violation guard, or a programming error).
    const built = isRequestBuildFailure(error);
    if (error instanceof TypeError || built) {
      const Type = built ? RequestBuildError : NetworkError;
      const what = built
        ? "the runtime refused to build the request"
        : "request failed before an HTTP answer";
      throw new Type(`${what}: ${describeFailure(error, ctx.secrets)}`, {
        ...meta,
        cause: error,
        secrets: ctx.secrets,
      });
    }
    throw error;
  } finally {
    combined?.release();
  }
}

/** Node turns longer timer delays into 1 ms, so a larger timeout would fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Refuses a call before it starts: an already-aborted signal (RequestAbortedError) or a `timeoutMs`
 * that is not a number of ms a timer can wait (InvalidInputError).
 */
export function checkCallOptions(
  options: CallOptions | undefined,
  meta: { provider?: string | undefined; operation: OAuthOperation },
): void {
  if (options?.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    // Only real signals can be combined; anything else would fail later as a raw TypeError.
    throw new InvalidInputError("signal must be an AbortSignal", meta);
  }
  const timeoutMs = options?.timeoutMs;
  if (timeoutMs !== undefined && !isTimeoutMs(timeoutMs)) {
    throw new InvalidInputError(`timeoutMs must be a number from 0 to ${MAX_TIMEOUT_MS}`, meta);
  }
  const stopped = whyStopped(options?.signal, undefined, undefined, meta);
  if (stopped) throw stopped;
}

function isTimeoutMs(value: unknown): value is number {
  return typeof value === "number" && value >= 0 && value <= MAX_TIMEOUT_MS;
}

/**
 * Settles like `work`, or rejects with the signal's reason as soon as it aborts, even when `work`
 * ignores the signal. A `work` left behind may still fail later; that is not an unhandled rejection.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * The error for a call its caller cancelled or its own deadline ended (the caller's signal wins), or
 * `undefined` when neither stopped it.
 */
export function whyStopped(
  callerSignal: AbortSignal | undefined,
  deadline: AbortSignal | undefined,
  timeoutMs: number | undefined,
  options: OAuthErrorOptions,
): OAuthError | undefined {
  if (callerSignal?.aborted) return new RequestAbortedError("request cancelled by the caller", options);
  if (deadline?.aborted) return new TimeoutError(`no answer within ${timeoutMs} ms`, options);
  return undefined;
}
