import { type Scope, scopeValues } from "./generated/schema.js";

/** A scope the consent page can grant (the spec's `Scope` enum). */
export type OpenCollectiveScope = Scope;

/** Every grantable scope, in the spec's order. */
export const OPENCOLLECTIVE_SCOPES: readonly OpenCollectiveScope[] = scopeValues;

export function isOpenCollectiveScope(value: unknown): value is OpenCollectiveScope {
  return (OPENCOLLECTIVE_SCOPES as readonly unknown[]).includes(value);
}

/**
 * The `scope` query value: comma-separated, the documented form every server version reads (space is
 * accepted only since July 2025). Duplicates are dropped: the spec says the list is unique.
 */
export function formatScopes(scopes: readonly OpenCollectiveScope[]): string {
  return [...new Set(scopes)].join(",");
}
