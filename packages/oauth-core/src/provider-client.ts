import createClient, { type Client, type ClientOptions } from "openapi-fetch";

export type ProviderClientOptions = Pick<ClientOptions, "baseUrl" | "fetch" | "headers">;

/**
 * The typed openapi-fetch client every provider package builds on. Redirects are refused: a token
 * request that followed one could carry the client secret or a code to another host.
 */
export function createProviderClient<Paths extends object>(options: ProviderClientOptions): Client<Paths> {
  return createClient<Paths>({ ...options, redirect: "error" });
}
