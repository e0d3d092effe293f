import { InvalidInputError } from "@partner-oauth/core";

/** The longest lease accepted (about 31 years): anything longer is a unit mistake. */
export const MAX_TTL_MS = 1e12;

/** PostgreSQL `text` cannot hold NUL (and SQLite cuts it off): anything else is a valid key or owner. */
export function checkText(value: unknown, name: string): void {
  if (typeof value !== "string" || value.includes("\u0000")) {
    throw new InvalidInputError(`${name} must be a string without NUL characters`, { operation: "store" });
  }
}

export function checkInteger(value: unknown, name: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new InvalidInputError(`${name} must be a safe integer`, { operation: "store" });
  }
}

export function checkTtl(ttlMs: unknown): void {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
    throw new InvalidInputError(`ttlMs must be a number of ms above 0 and at most ${MAX_TTL_MS}`, {
      operation: "store",
    });
  }
}
