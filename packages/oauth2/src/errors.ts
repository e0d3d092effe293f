import { OAuthError } from "@partner-oauth/core";

/** Why a server's metadata was refused. */
export type DiscoveryFailure =
  /** The document names another issuer than the one asked for (RFC 8414 §3.3): possible impersonation. */
  | "issuer_mismatch"
  /** A required field is missing, a field has the wrong type, or an endpoint is not an https URL. */
  | "invalid_metadata"
  /** Neither well-known location answered with a document. */
  | "not_found"
  /** The metadata lacks an endpoint or grant a capability you asked for needs. */
  | "missing_capability";

/**
 * Discovery or static metadata was refused. The message names fields and URLs of the server's public
 * metadata only; no client secret is involved in discovery.
 */
export class DiscoveryError extends OAuthError {
  override name = "DiscoveryError";
  readonly reason: DiscoveryFailure;

  constructor(
    reason: DiscoveryFailure,
    message: string,
    options: { provider?: string; status?: number } = {},
  ) {
    super(message, { operation: "request", provider: options.provider, status: options.status });
    this.reason = reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}
