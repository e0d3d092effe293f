/**
 * `path` under `baseUrl`, keeping any path the base already has (a proxy's `/gocardless` prefix),
 * the way openapi-fetch joins API calls. `new URL("/oauth/authorize", base)` would drop that prefix,
 * so an authorization URL would point elsewhere than the token calls.
 */
export function endpointUrl(baseUrl: string, path: string): URL {
  return new URL(`${baseUrl.replace(/\/+$/, "")}${path}`);
}
