import { createProviderClient } from "@partner-oauth/core";
import type { Client, ClientOptions } from "openapi-fetch";
import type { paths } from "./generated/schema.js";

export type OpenCollectiveEnvironment = "production" | "staging";

/** One host per environment serves the consent page, `/oauth/token` and `/api/graphql/v2`. */
export const OPENCOLLECTIVE_HOSTS: Readonly<Record<OpenCollectiveEnvironment, string>> = {
  production: "https://opencollective.com",
  // Staging has its own OAuth apps and test data (confidence likely, per specs/opencollective.yaml).
  staging: "https://staging.opencollective.com",
};

export interface OpenCollectiveClientOptions {
  environment: OpenCollectiveEnvironment;
  /** Overrides the environment's host, e.g. with a mock's URL. */
  baseUrl?: string | undefined;
  fetch?: ClientOptions["fetch"];
}

export type OpenCollectiveClient = Client<paths>;

/** Resolves the host for an environment or a base-URL override. */
export function openCollectiveBaseUrl(options: OpenCollectiveClientOptions): string {
  const host = OPENCOLLECTIVE_HOSTS[options?.environment];
  if (!host) throw new TypeError(`unknown Open Collective environment: ${String(options?.environment)}`);
  return options.baseUrl ?? host;
}

/**
 * A typed openapi-fetch client for specs/opencollective.yaml. Redirects are refused: a token request
 * that follows one could carry the client secret to another host.
 */
export function createOpenCollectiveClient(options: OpenCollectiveClientOptions): OpenCollectiveClient {
  return createProviderClient<paths>({
    baseUrl: openCollectiveBaseUrl(options),
    fetch: options.fetch,
  });
}
