import { failureChain, failureCode, RETRYABLE_SOCKET_CODES, StoreError } from "@partner-oauth/core";

/**
 * SQLSTATEs after which the same statement may succeed later: the connection or the server went away
 * (class 08, `57P01` admin_shutdown from `pg_terminate_backend`, `57P02` crash_shutdown, `57P03`
 * cannot_connect_now), too many connections (`53300`), a statement timeout or cancel (`57014`), a lock
 * timeout (`55P03`), and the transaction conflicts PostgreSQL rolls back whole (`40001`, `40P01`).
 */
const RETRYABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "57014", "55P03", "40001", "40P01"]);

/**
 * node-postgres reports a lost connection and its own timeouts without a code: "Connection terminated
 * unexpectedly", "Connection terminated due to connection timeout", "timeout exceeded when trying to
 * connect" (pool), "Query read timeout", "Client has encountered a connection error and is not queryable".
 */
const RETRYABLE_MESSAGE =
  /connection terminated|connection error|timeout exceeded|query read timeout|timed out/i;

/** What kind of failure a client's rejection is: its code, and whether a retry may succeed. */
export function classify(error: unknown): { code: string | undefined; retryable: boolean } {
  let code: string | undefined;
  let retryable = false;
  for (const current of failureChain(error)) {
    const found = failureCode(current);
    code ??= found;
    if (found !== undefined && (RETRYABLE_SQLSTATES.has(found) || found.startsWith("08"))) retryable = true;
    if (found !== undefined && RETRYABLE_SOCKET_CODES.has(found)) retryable = true;
    // Only a code-less error's message is read: a server error's message may quote data.
    const message = (current as { message?: unknown }).message;
    if (found === undefined && typeof message === "string" && RETRYABLE_MESSAGE.test(message))
      retryable = true;
  }
  return { code, retryable };
}

/**
 * The store's error for a failed statement. The message names the operation and the code only: a
 * driver's message or detail can quote the statement's parameters (a token, a key), so neither is kept
 * (the core also reduces `cause` to its name and code).
 */
export function storeError(operation: string, error: unknown): StoreError {
  const { code, retryable } = classify(error);
  const what = retryable
    ? "the database could not be reached or dropped the connection"
    : "the statement failed";
  return new StoreError(`PostgreSQL token store: ${operation} failed: ${what} (${code ?? "no error code"})`, {
    retryable,
    cause: error,
  });
}
