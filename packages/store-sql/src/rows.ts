import {
  InvalidInputError,
  parseCount,
  recordFromJson,
  recordToJson,
  type TokenData,
} from "@partner-oauth/core";

/** The record as JSON text for the `record` column (the core's `recordToJson`). */
export const serialize = recordToJson;

/** A `bigint` column as a number (node-postgres returns `bigint` and `::text` as a string). */
export { parseCount };

/**
 * A stored record: `undefined` for a tombstone (NULL), the parsed token for a JSON object with the
 * token's string fields, `null` for anything else (not JSON, an array, a number, fields of the wrong
 * type). The core checks the token's optional fields on every read.
 */
export function parseRecord(value: unknown): TokenData | undefined | null {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "string") return null;
  return recordFromJson(value) ?? null;
}

export function malformed(): InvalidInputError {
  return new InvalidInputError(
    "the token table holds a row this store did not write (its record is no token object, or its version no count)",
    { operation: "store" },
  );
}

export function throwMalformed(): never {
  throw malformed();
}
