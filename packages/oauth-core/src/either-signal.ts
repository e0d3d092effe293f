/**
 * A signal that aborts when either of two does, with that one's reason: `AbortSignal.any` where the
 * runtime has it, elsewhere (Vercel's edge-runtime) a controller fed by both. `release()` removes the
 * fallback's listeners once the call ends, so a long-lived caller signal collects none.
 */
export function eitherSignal(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; release(): void } {
  if (typeof AbortSignal.any === "function") return { signal: AbortSignal.any([a, b]), release: () => {} };
  const controller = new AbortController();
  const onA = () => controller.abort(a.reason);
  const onB = () => controller.abort(b.reason);
  if (a.aborted) onA();
  else if (b.aborted) onB();
  else {
    a.addEventListener("abort", onA, { once: true });
    b.addEventListener("abort", onB, { once: true });
  }
  return {
    signal: controller.signal,
    release: () => {
      a.removeEventListener("abort", onA);
      b.removeEventListener("abort", onB);
    },
  };
}
