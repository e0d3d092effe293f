import { createProviderClient } from "@partner-oauth/core";
import type { Client, ClientOptions } from "openapi-fetch";
import type { paths } from "./generated/schema.js";

export type GoCardlessEnvironment = "live" | "sandbox";

/** The two hosts GoCardless splits OAuth across: connect (authorize, token, revoke) and api (REST). */
export interface GoCardlessHosts {
  connect: string;
  api: string;
}

export const GOCARDLESS_HOSTS: Readonly<Record<GoCardlessEnvironment, GoCardlessHosts>> = {
  live: { connect: "https://connect.gocardless.com", api: "https://api.gocardless.com" },
  sandbox: { connect: "https://connect-sandbox.gocardless.com", api: "https://api-sandbox.gocardless.com" },
};

/** The REST API version GoCardless requires on every API call. */
export const GOCARDLESS_API_VERSION = "2015-07-06";

export interface GoCardlessClientOptions {
  environment?: GoCardlessEnvironment | undefined;
  /** Overrides both hosts, e.g. with a mock's URL (one Prism serves the whole spec). */
  baseUrl?: string | undefined;
  /** Overrides the api host only. */
  apiBaseUrl?: string | undefined;
  fetch?: ClientOptions["fetch"];
}

export type GoCardlessClient = Client<paths>;

/** Resolves the hosts for an environment or a base-URL override. */
export function gocardlessHosts(options: GoCardlessClientOptions): GoCardlessHosts {
  const environment = options.environment ?? "live";
  const hosts = GOCARDLESS_HOSTS[environment];
  if (!hosts) throw new TypeError(`unknown GoCardless environment: ${String(environment)}`);
  return {
    connect: options.baseUrl ?? hosts.connect,
    api: options.apiBaseUrl ?? options.baseUrl ?? hosts.api,
  };
}

/**
 * A typed openapi-fetch client for specs/gocardless.yaml, on the connect host. Redirects are refused:
 * a token request that follows one could carry the client secret to another host.
 */
export function createGoCardlessClient(options: GoCardlessClientOptions = {}): GoCardlessClient {
  return createProviderClient<paths>({
    baseUrl: gocardlessHosts(options).connect,
    fetch: options.fetch,
  });
}
