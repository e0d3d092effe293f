/** Errors the runtime threw while building a Request, as opposed to fetch failing to send it. */
const buildFailures = new WeakSet<object>();

/** Whether `error` was thrown by the runtime's Request constructor under `buildingRequest`. */
export function isRequestBuildFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && buildFailures.has(error);
}

/**
 * A stand-in for the `Request` constructor (openapi-fetch's `Request` option) that marks what the
 * runtime throws while building one: an invalid URL or header, or an option it does not support
 * (workerd and `redirect: "error"`). Both that and a failed fetch are TypeErrors; only the second is
 * a network fault. It shares Request's prototype, so `instanceof Request` still holds for results.
 */
export const buildingRequest = function buildingRequest(input: RequestInfo | URL, init?: RequestInit) {
  try {
    return new Request(input, init);
  } catch (error) {
    if (typeof error === "object" && error !== null) buildFailures.add(error);
    throw error;
  }
} as unknown as typeof Request;
buildingRequest.prototype = Request.prototype;
