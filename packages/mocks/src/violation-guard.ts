import type { Middleware } from "openapi-fetch";

/** Thrown when Prism says a request (or its own response) broke the spec. */
export class ContractViolationError extends Error {
  override name = "ContractViolationError";
  constructor(
    readonly method: string,
    readonly url: string,
    readonly violations: string,
  ) {
    super(`${method} ${new URL(url).pathname} violates the spec: ${violations}`);
  }
}

/** Throws ContractViolationError when a Prism response carries an `sl-violations` header. */
export function assertNoViolations(response: Response, request?: { method: string; url: string }): void {
  const violations = response.headers.get("sl-violations");
  if (violations)
    throw new ContractViolationError(request?.method ?? "?", request?.url ?? response.url, violations);
}

/** openapi-fetch middleware that fails every call Prism flags with `sl-violations`. */
export const violationGuard: Middleware = {
  onResponse({ request, response }) {
    assertNoViolations(response, request);
    return undefined;
  },
};

/** A fetch that fails on `sl-violations`, for clients that take a `fetch` option. */
export function guardedFetch(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await base(request.clone());
    assertNoViolations(response, request);
    return response;
  };
}
