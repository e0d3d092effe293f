import { failureChain, failureCode, RETRYABLE_SOCKET_CODES, StoreError } from "@partner-oauth/core";

/**
 * Error replies after which the same call may succeed later: the server is loading its data set
 * (`LOADING`), busy with a long script (`BUSY`), a cluster slot is moving or down (`TRYAGAIN`,
 * `CLUSTERDOWN`), or the node is a replica or lost its primary (`READONLY`, `MASTERDOWN`, `NOREPLICAS`:
 * a failover is under way).
 */
const RETRYABLE_REPLY_CODES = new Set([
  "LOADING",
  "BUSY",
  "TRYAGAIN",
  "CLUSTERDOWN",
  "MASTERDOWN",
  "READONLY",
  "NOREPLICAS",
]);

/**
 * The clients' own connection errors, by class: node-redis 5 (`SocketClosedUnexpectedlyError` for a
 * connection dropped mid-command, `ClientOfflineError` with the offline queue disabled, timeouts) and
 * ioredis 5 (`MaxRetriesPerRequestError`, `ClusterAllFailedError`). `ClientClosedError` is not among
 * them: the application closed the client, and no retry on it can succeed.
 */
const RETRYABLE_CLASSES = new Set([
  "SocketClosedUnexpectedlyError",
  "ClientOfflineError",
  "ConnectionTimeoutError",
  "SocketTimeoutError",
  "ReconnectStrategyError",
  "TimeoutError",
  "SocketTimeoutDuringMaintenanceError",
  "CommandTimeoutDuringMaintenanceError",
  "RootNodesUnavailableError",
  "MaxRetriesPerRequestError",
  "ClusterAllFailedError",
]);

/** The clients' fixed texts for a lost connection or a timeout, for errors of no known class or code. */
const RETRYABLE_MESSAGE =
  /connection is closed|socket closed|closed unexpectedly|client is offline|stream isn't writeable|timed out|timeout|max retries/i;

/** Class names of error replies (the server answered with an error): node-redis 5 and ioredis 5. */
const REPLY_CLASSES = new Set(["ErrorReply", "SimpleError", "BlobError", "ReplyError"]);

export interface Classified {
  /** A reply's error code (`NOPERM`), a system code (`ECONNREFUSED`), or else the client error's class name. */
  code: string | undefined;
  retryable: boolean;
  /** The server answered with an error reply (rather than the connection failing). */
  reply: boolean;
}

/** What kind of failure a client's rejection is, without keeping any of its text. */
export function classify(error: unknown): Classified {
  let code: string | undefined;
  let retryable = false;
  let reply = false;
  for (const current of failureChain(error)) {
    const className = classOf(current);
    const message = (current as { message?: unknown }).message;
    const text = typeof message === "string" ? message : "";
    if (className !== undefined && REPLY_CLASSES.has(className)) {
      // An error reply starts with its code (`NOPERM this user has no permissions…`); only the code is
      // read, as the rest may quote a key or an argument.
      reply = true;
      const found = /^[A-Z][A-Z_]{1,30}(?=\s|$)/.exec(text)?.[0];
      code ??= found;
      if (found !== undefined && RETRYABLE_REPLY_CODES.has(found)) retryable = true;
    } else {
      const system = failureCode(current);
      code ??= system;
      if (system !== undefined && RETRYABLE_SOCKET_CODES.has(system)) retryable = true;
      if (className !== undefined && RETRYABLE_CLASSES.has(className)) retryable = true;
      // A class name is fixed text (`ClientClosedError`): safe to name when there is no code.
      code ??= className;
      if (system === undefined && RETRYABLE_MESSAGE.test(text)) retryable = true;
    }
  }
  return { code, retryable, reply };
}

/** The error's class (node-redis's errors keep `name` "Error"; their constructors are named). */
function classOf(error: object): string | undefined {
  const name = (error as { constructor?: { name?: unknown } }).constructor?.name;
  const own = (error as { name?: unknown }).name;
  for (const candidate of [name, own]) {
    if (typeof candidate === "string" && candidate !== "Error" && /^[A-Za-z]{2,60}$/.test(candidate))
      return candidate;
  }
  return undefined;
}

/**
 * The store's error for a failed call. The message names the operation and the code only: a
 * server's or client's message can quote a key or an argument (a token), so none is kept (the core
 * also reduces `cause` to its name and code).
 */
export function storeError(operation: string, error: unknown, classified = classify(error)): StoreError {
  const { code, retryable, reply } = classified;
  const what = retryable
    ? reply
      ? "the server cannot serve it now"
      : "Redis could not be reached or dropped the connection"
    : reply
      ? "the server refused the command"
      : "the client failed";
  return new StoreError(`Redis token store: ${operation} failed: ${what} (${code ?? "no error code"})`, {
    retryable,
    cause: error,
  });
}
