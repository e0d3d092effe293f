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
  /** Required: live and sandbox have separate credentials, so there is no safe default. */
  environment: GoCardlessEnvironment;
  /** Overrides both hosts, e.g. with a mock's URL (one Prism serves the whole spec). */
  baseUrl?: string | undefined;
  /** Overrides the api host only. */
  apiBaseUrl?: string | undefined;
  fetch?: ClientOptions["fetch"];
}

export type GoCardlessClient = Client<paths>;

/** Resolves the hosts for an environment or a base-URL override. */
export function gocardlessHosts(options: GoCardlessClientOptions): GoCardlessHosts {
  const environment = options?.environment;
  if (typeof environment !== "string" || !Object.hasOwn(GOCARDLESS_HOSTS, environment)) {
    throw new TypeError('gocardless: environment must be "live" or "sandbox"');
  }
  const hosts = GOCARDLESS_HOSTS[environment];
  return {
    connect: options.baseUrl ?? hosts.connect,
    api: options.apiBaseUrl ?? options.baseUrl ?? hosts.api,
  };
}

/**
 * A typed openapi-fetch client for specs/gocardless.yaml, on the connect host. Redirects are refused:
 * a token request that follows one could carry the client secret to another host.
 */
export function createGoCardlessClient(options: GoCardlessClientOptions): GoCardlessClient {
  return createProviderClient<paths>({
    baseUrl: gocardlessHosts(options).connect,
    fetch: options.fetch,
  });
}
