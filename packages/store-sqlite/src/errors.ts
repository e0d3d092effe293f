import { StoreError } from "@partner-oauth/core";

/**
 * SQLite's result codes after which the same statement may succeed later: another connection holds
 * the lock past the busy timeout (BUSY, LOCKED), an I/O error, or a full disk that may be freed.
 * Read-only, corrupt, not-a-database and cannot-open files stay broken until someone acts.
 */
const RETRYABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|PROTOCOL)/;
const CODE = /\bSQLITE_[A-Z_]+\b/;

/** The SQLite result code of a driver's error: better-sqlite3 and bun set `code`; node:sqlite `errstr`; D1 only says it in the message. */
export function sqliteCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const { code, errcode, message } = current as { code?: unknown; errcode?: unknown; message?: unknown };
    if (typeof code === "string" && CODE.test(code)) return code.match(CODE)?.[0];
    if (typeof errcode === "number") return numericCode(errcode);
    const found = typeof message === "string" ? message.match(CODE)?.[0] : undefined;
    if (found) return found;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** node:sqlite reports the extended result code as a number: the low byte is the primary code. */
function numericCode(errcode: number): string | undefined {
  const primary: Record<number, string> = {
    5: "SQLITE_BUSY",
    6: "SQLITE_LOCKED",
    8: "SQLITE_READONLY",
    10: "SQLITE_IOERR",
    11: "SQLITE_CORRUPT",
    13: "SQLITE_FULL",
    14: "SQLITE_CANTOPEN",
    26: "SQLITE_NOTADB",
  };
  return primary[errcode & 0xff];
}

/** The store's error for a failed statement: its operation and SQLite code only, never a parameter. */
export function storeError(operation: string, error: unknown): StoreError {
  const code = sqliteCode(error);
  const retryable = code !== undefined && RETRYABLE.test(code);
  return new StoreError(
    `SQLite token store: ${operation} failed (${code ?? "no SQLite code"})${retryable ? "; it may succeed later" : ""}`,
    { retryable, cause: error },
  );
}
