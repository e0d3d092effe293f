import { InvalidInputError } from "@partner-oauth/core";

/** The table the store uses unless told otherwise. */
export const DEFAULT_TABLE = "partner_oauth_tokens";

/** One unquoted-style identifier: a letter or underscore, then letters, digits, underscores; ≤ 63 bytes. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The table name as SQL: `table` or `schema.table`, each part checked against a safe identifier pattern
 * (letters, digits, underscores, not starting with a digit, at most 63 characters) and double-quoted
 * (PostgreSQL and SQLite alike),
 * so a reserved word works and the name is used exactly as given (case included).
 * @throws InvalidInputError for anything else.
 */
export function quoteTable(table: string = DEFAULT_TABLE): string {
  const parts = typeof table === "string" ? table.split(".") : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new InvalidInputError(
      "table must be a SQL identifier (letters, digits, underscores), optionally schema-qualified",
      { operation: "store" },
    );
  }
  return parts.map((part) => `"${part}"`).join(".");
}
