import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import { refuseRedirects } from "./refuse-redirects.js";
import { buildingRequest } from "./request-build.js";
import { DEFAULT_MAX_RESPONSE_BYTES, limitResponseBody } from "./response-limit.js";

export interface ProviderClientOptions extends Pick<ClientOptions, "baseUrl" | "fetch" | "headers"> {
  /** The largest response body the client reads; larger ones fail with ResponseTooLargeError. */
  maxResponseBytes?: number | undefined;
}

/**
 * The typed openapi-fetch client every provider package builds on. Redirects are refused (a token
 * request that followed one could carry the client secret or a code to another host): with
 * `redirect: "manual"`, which every runtime accepts, and a 3xx answer failing with
 * RedirectRefusedError. Response bodies are capped (1 MiB unless `maxResponseBytes` says otherwise),
 * so a runaway body fails fast instead of filling memory until the timeout.
 */
export function createProviderClient<Paths extends object>({
  maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
  ...options
}: ProviderClientOptions): Client<Paths> {
  const client = createClient<Paths>({ ...options, redirect: "manual", Request: buildingRequest });
  client.use(limitResponseBody(maxResponseBytes));
  // Registered last so it runs first on the response (openapi-fetch runs onResponse in reverse).
  client.use(refuseRedirects);
  return client;
}
