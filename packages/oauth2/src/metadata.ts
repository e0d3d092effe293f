import { DiscoveryError } from "./errors.js";
import type { AuthorizationServerMetadata } from "./generated/schema.js";

/**
 * The RFC 8414 / OpenID Discovery fields the adapter reads (`AuthorizationServerMetadata` of
 * specs/oauth2.yaml, with read-only lists so `as const` literals fit). Other fields are kept.
 */
export interface OAuth2Metadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly revocation_endpoint?: string | undefined;
  readonly introspection_endpoint?: string | undefined;
  readonly scopes_supported?: readonly string[] | undefined;
  readonly grant_types_supported?: readonly string[] | undefined;
  readonly code_challenge_methods_supported?: readonly string[] | undefined;
  readonly token_endpoint_auth_methods_supported?: readonly string[] | undefined;
  readonly authorization_response_iss_parameter_supported?: boolean | undefined;
  readonly [field: string]: unknown;
}

// The generated document type must stay usable as metadata (a spec change that breaks it fails here).
const _generatedFits = (m: AuthorizationServerMetadata): OAuth2Metadata => m;
void _generatedFits;

/** What a facade over the adapter can do beyond the code flow. */
export type OAuth2Capability = "refresh" | "revoke" | "introspect" | "clientCredentials";

/**
 * The capabilities static metadata proves, as a type: revoke and introspect when the endpoint is
 * there, client credentials when `grant_types_supported` lists the grant (RFC 8414's default list
 * does not), refresh unless the refresh-token behaviour is `none`.
 */
export type CapabilitiesOf<M, R> =
  | (R extends "none" ? never : "refresh")
  | (M extends { readonly revocation_endpoint: string } ? "revoke" : never)
  | (M extends { readonly introspection_endpoint: string } ? "introspect" : never)
  | (M extends { readonly grant_types_supported: readonly (infer G)[] }
      ? "client_credentials" extends G
        ? "clientCredentials"
        : never
      : never);

const URL_FIELDS = [
  "authorization_endpoint",
  "token_endpoint",
  "revocation_endpoint",
  "introspection_endpoint",
];
const LIST_FIELDS = [
  "scopes_supported",
  "grant_types_supported",
  "code_challenge_methods_supported",
  "token_endpoint_auth_methods_supported",
];

/**
 * Checks a metadata document (discovered or given) and returns it: required fields present, lists of
 * strings, endpoints absolute `https` URLs (`http` only on a loopback host, for local servers and
 * tests), and, when `expectedIssuer` is given, an `issuer` identical to it (RFC 8414 §3.3: no
 * normalization, a trailing slash is another issuer).
 */
export function checkMetadata(document: unknown, provider: string, expectedIssuer?: string): OAuth2Metadata {
  const fail = (message: string) => new DiscoveryError("invalid_metadata", message, { provider });
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw fail("metadata is not a JSON object");
  }
  const fields = document as Record<string, unknown>;
  if (typeof fields.issuer !== "string" || !isServerUrl(fields.issuer, true)) {
    throw fail("metadata issuer is missing or not an https URL without query or fragment");
  }
  if (expectedIssuer !== undefined && fields.issuer !== expectedIssuer) {
    throw new DiscoveryError(
      "issuer_mismatch",
      `metadata names issuer ${fields.issuer}, not ${expectedIssuer}: refused (RFC 8414 §3.3)`,
      { provider },
    );
  }
  for (const field of URL_FIELDS) {
    const value = fields[field];
    const required = field === "authorization_endpoint" || field === "token_endpoint";
    if (value === undefined && !required) continue;
    if (typeof value !== "string" || !isServerUrl(value, false)) {
      throw fail(`metadata ${field} is ${value === undefined ? "missing" : "not an https URL"}`);
    }
  }
  for (const field of LIST_FIELDS) {
    const value = fields[field];
    if (value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === "string"))) {
      throw fail(`metadata ${field} is not a list of strings`);
    }
  }
  const iss = fields.authorization_response_iss_parameter_supported;
  if (iss !== undefined && typeof iss !== "boolean") {
    throw fail("metadata authorization_response_iss_parameter_supported is not a boolean");
  }
  return fields as OAuth2Metadata;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** An absolute https URL (http on loopback); an issuer also has no query or fragment (RFC 8414 §2). */
export function isServerUrl(value: string, issuer: boolean): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) return false;
  if (url.username || url.password) return false;
  return !issuer || (url.search === "" && url.hash === "" && !value.includes("?") && !value.includes("#"));
}
