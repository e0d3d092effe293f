import { createProviderClient } from "@partner-oauth/core";
import type { Client, ClientOptions, Middleware } from "openapi-fetch";
import type { paths } from "./generated/schema.js";

/** The operations' conventional paths in specs/oauth2.yaml. */
export type OAuth2Path = keyof paths;

export interface OAuth2ClientOptions {
  /**
   * Where each spec path really lives, as absolute URLs (from the server's metadata). A path not
   * listed here is requested at `baseUrl` + path.
   */
  endpoints?: Partial<Record<OAuth2Path, string>> | undefined;
  /** Base URL for paths without an endpoint, e.g. a Prism mock of specs/oauth2.yaml. */
  baseUrl?: string | undefined;
  fetch?: ClientOptions["fetch"];
  /** The largest response body read; default 1 MiB (the core's). */
  maxResponseBytes?: number | undefined;
}

export type OAuth2Client = Client<paths>;

// Stands in for the host of paths that are routed elsewhere; never requested.
const ROUTED_BASE = "https://oauth2.invalid";

/**
 * A typed openapi-fetch client for specs/oauth2.yaml. Servers put their endpoints wherever they like
 * and name them in their metadata, so each typed call on a spec path is sent to the URL the metadata
 * gives (a routing middleware); the core's client still refuses redirects and caps bodies.
 */
export function createOAuth2Client(options: OAuth2ClientOptions): OAuth2Client {
  const client = createProviderClient<paths>({
    baseUrl: options.baseUrl ?? ROUTED_BASE,
    fetch: options.fetch,
    maxResponseBytes: options.maxResponseBytes,
  });
  const endpoints = options.endpoints ?? {};
  if (Object.keys(endpoints).length > 0) client.use(routeTo(endpoints));
  return client;
}

function routeTo(endpoints: Partial<Record<OAuth2Path, string>>): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      const target = endpoints[schemaPath as OAuth2Path];
      if (target === undefined) return undefined;
      // The spec paths have no parameters, so only the query (none today) would need carrying over.
      const url = new URL(target);
      for (const [name, value] of new URL(request.url).searchParams) url.searchParams.append(name, value);
      return new Request(url, request);
    },
  };
}
