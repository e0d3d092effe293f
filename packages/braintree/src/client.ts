import { createProviderClient } from "@partner-oauth/core";
import type { Client, ClientOptions } from "openapi-fetch";
import type { paths } from "./generated/schema.js";
import { XML_MAX_BYTES } from "./xml.js";

export type BraintreeEnvironment = "production" | "sandbox";

/** The gateway hosts: the connect page and both OAuth calls live at their root. */
export const BRAINTREE_HOSTS: Readonly<Record<BraintreeEnvironment, string>> = {
  production: "https://api.braintreegateway.com",
  sandbox: "https://api.sandbox.braintreegateway.com",
};

/** The gateway API version the official SDK sends as `X-ApiVersion` on every request. */
export const BRAINTREE_API_VERSION = "6";

export interface BraintreeClientOptions {
  /** Must match the environment segment of the client id (`client_id$sandbox$…`). */
  environment: BraintreeEnvironment;
  /** Overrides the gateway host, e.g. with a mock's URL. */
  baseUrl?: string | undefined;
  fetch?: ClientOptions["fetch"];
}

export type BraintreeClient = Client<paths>;

/** The gateway base URL for an environment or a base-URL override. */
export function braintreeBaseUrl(options: BraintreeClientOptions): string {
  const host = BRAINTREE_HOSTS[options?.environment];
  if (!host) throw new TypeError(`unknown Braintree environment: ${String(options?.environment)}`);
  return options.baseUrl ?? host;
}

/**
 * A typed openapi-fetch client for specs/braintree.yaml. Redirects are refused: a token request that
 * follows one could carry the client credentials to another host. Bodies past the XML reader's
 * 64 KiB limit are refused while they stream, not after they are buffered.
 */
export function createBraintreeClient(options: BraintreeClientOptions): BraintreeClient {
  return createProviderClient<paths>({
    baseUrl: braintreeBaseUrl(options),
    fetch: options.fetch,
    maxResponseBytes: XML_MAX_BYTES,
  });
}
