import { createProviderClient } from "@partner-oauth/core";
import type { Client, ClientOptions } from "openapi-fetch";
import type { paths } from "./generated/schema.js";

export type TrueLayerEnvironment = "live" | "sandbox";

/** The two hosts TrueLayer splits OAuth across: auth (auth link, token, delete) and api (Data API `/me`). */
export interface TrueLayerHosts {
  auth: string;
  api: string;
}

export const TRUELAYER_HOSTS: Readonly<Record<TrueLayerEnvironment, TrueLayerHosts>> = {
  live: { auth: "https://auth.truelayer.com", api: "https://api.truelayer.com" },
  sandbox: { auth: "https://auth.truelayer-sandbox.com", api: "https://api.truelayer-sandbox.com" },
};

export interface TrueLayerClientOptions {
  /** Required: live and sandbox have separate credentials, so there is no safe default. */
  environment: TrueLayerEnvironment;
  /** Overrides both hosts, e.g. with a mock's URL (one Prism serves the whole spec). */
  baseUrl?: string | undefined;
  /** Overrides the api host only. */
  apiBaseUrl?: string | undefined;
  fetch?: ClientOptions["fetch"];
}

export type TrueLayerClient = Client<paths>;

/** Resolves the hosts for an environment or a base-URL override. */
export function truelayerHosts(options: TrueLayerClientOptions): TrueLayerHosts {
  const environment = options?.environment;
  const hosts = Object.hasOwn(TRUELAYER_HOSTS, environment) ? TRUELAYER_HOSTS[environment] : undefined;
  if (!hosts) throw new TypeError(`unknown TrueLayer environment: ${String(environment)}`);
  return {
    auth: options.baseUrl ?? hosts.auth,
    api: options.apiBaseUrl ?? options.baseUrl ?? hosts.api,
  };
}

/**
 * A typed openapi-fetch client for specs/truelayer.yaml, on the auth host. Redirects are refused:
 * a token request that follows one could carry the client secret to another host.
 */
export function createTrueLayerClient(options: TrueLayerClientOptions): TrueLayerClient {
  return createProviderClient<paths>({
    baseUrl: truelayerHosts(options).auth,
    fetch: options.fetch,
  });
}
