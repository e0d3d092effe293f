import type { Middleware } from "openapi-fetch";

/**
 * The server answered with a redirect, which a provider client never follows. The facade reports it
 * as an UnexpectedRedirectError; callers of a provider's typed client get this error itself.
 * `status` is the answer's status: 3xx, or 0 for an opaque redirect (browsers hide the real one).
 */
export class RedirectRefusedError extends Error {
  override name = "RedirectRefusedError";
  readonly status: number;

  constructor(status: number) {
    super(`redirect (status ${status}) not followed`);
    this.status = status;
  }
}

/**
 * An openapi-fetch middleware for clients built with `redirect: "manual"`: turns a 3xx answer, or
 * the opaque redirect a browser returns instead, into RedirectRefusedError. `redirect: "error"` would
 * do this in one word, but workerd refuses to build a Request with it.
 */
export const refuseRedirects: Middleware = {
  async onResponse({ response }) {
    const redirected =
      response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400);
    if (!redirected) return undefined;
    await response.body?.cancel().catch(() => {});
    throw new RedirectRefusedError(response.status);
  },
};
