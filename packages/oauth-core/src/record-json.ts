import { InvalidInputError } from "./errors.js";
import type { TokenData } from "./token.js";

// What every store that keeps records as JSON text and counts as integers needs the same way:
// PostgreSQL, SQLite and Redis.

/** The record as JSON text; a value that is no object, or cannot be serialized, changes nothing. */
export function recordToJson(token: TokenData): string {
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
 * A stored record's JSON text as a token: a JSON object with the token's string fields, or
 * `undefined` for anything else (not JSON, an array, fields of the wrong type). The core checks the
 * token's optional fields on every read.
 */
export function recordFromJson(json: string): TokenData | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  if (typeof record.accessToken !== "string" || typeof record.tokenType !== "string") return undefined;
  if (!Array.isArray(record.scopes)) return undefined;
  return record as unknown as TokenData;
}

/**
 * A version or fence as a database returns it: decimal text (node-postgres's `bigint`, a Redis
 * reply), a number or a BigInt. Anything but a non-negative safe integer is `undefined`.
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
