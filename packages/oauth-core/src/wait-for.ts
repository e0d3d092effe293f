import { eitherSignal } from "./either-signal.js";
import type { OAuthOperation } from "./errors.js";
import { type CallOptions, untilAborted, whyStopped } from "./request-context.js";

/**
 * Waits for a shared promise, but lets this caller stop waiting on its own signal or its own
 * `timeoutMs`; the shared work goes on for the other callers.
 */
export function waitFor<T>(
  promise: Promise<T>,
  options: CallOptions | undefined,
  meta: { provider: string; operation: OAuthOperation },
): Promise<T> {
  const { signal, timeoutMs } = options ?? {};
  if (!signal && timeoutMs === undefined) return promise;
  const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const combined = signal && deadline ? eitherSignal(signal, deadline) : undefined;
  const stop = combined?.signal ?? ((signal ?? deadline) as AbortSignal);
  return untilAborted(promise, stop)
    .catch((error: unknown) => {
      throw whyStopped(signal, deadline, timeoutMs, meta) ?? error;
    })
    .finally(() => combined?.release());
}
