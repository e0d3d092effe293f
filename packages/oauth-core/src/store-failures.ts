/**
 * Node's socket errors after which a store call may succeed later: the server could not be reached,
 * or the connection broke. Shared by the stores' failure classifications.
 */
export const RETRYABLE_SOCKET_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
]);

/**
 * A driver's rejection, its `cause`s and an AggregateError's parts (Node's happy eyeballs reports a
 * refused connection to every address as one AggregateError), breadth first, each object once.
 */
export function* failureChain(error: unknown): Generator<object> {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    yield current;
    pending.push((current as { cause?: unknown }).cause);
    const parts = (current as { errors?: unknown }).errors;
    if (Array.isArray(parts)) pending.push(...parts);
  }
}

/** An error's `code` when it is a code (`ECONNREFUSED`, a SQLSTATE): nothing that could hold data. */
export function failureCode(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? code : undefined;
}
