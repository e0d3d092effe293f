import { InvalidInputError, type TokenData } from "@partner-oauth/core";

/** The record as JSON text; a value that is no object, or cannot be serialized, changes nothing. */
export function serialize(token: TokenData): string {
  if (typeof token !== "object" || token === null || Array.isArray(token)) {
    throw new InvalidInputError("the token record must be an object", { operation: "store" });
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(token);
  } catch (error) {
    throw new InvalidInputError("the token record cannot be serialized as JSON", {
      operation: "store",
      cause: error,
    });
  }
  if (typeof json !== "string" || !json.startsWith("{")) {
    throw new InvalidInputError("the token record cannot be serialized as a JSON object", {
      operation: "store",
    });
  }
  return json;
}

/**
 * A stored record: `undefined` for a tombstone (NULL), the parsed token for a JSON object with the
 * token's string fields, `null` for anything else (not JSON, an array, a number, fields of the wrong
 * type). The core checks the token's optional fields on every read.
 */
export function parseRecord(value: unknown): TokenData | undefined | null {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "string") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  if (typeof record.accessToken !== "string" || typeof record.tokenType !== "string") return null;
  if (!Array.isArray(record.scopes)) return null;
  return record as unknown as TokenData;
}

/**
 * A `bigint` column as a number. node-postgres returns `bigint` (and the `::text` the store selects)
 * as a string; another client may return a number or a BigInt. Anything but a non-negative safe
 * integer is `undefined`.
 */
export function parseCount(value: unknown): number | undefined {
  let n: number;
  if (typeof value === "string") {
    if (!/^(0|[1-9][0-9]{0,15})$/.test(value)) return undefined;
    n = Number(value);
  } else if (typeof value === "number") {
    n = value;
  } else if (typeof value === "bigint") {
    n = Number(value);
    if (BigInt(n) !== value) return undefined;
  } else {
    return undefined;
  }
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
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
