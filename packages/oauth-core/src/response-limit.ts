import type { Middleware } from "openapi-fetch";

/**
 * OAuth responses are a few KiB. 1 MiB is far above any real one and bounds what a broken proxy or
 * a hostile server can make a client buffer before the timeout ends the call; golang.org/x/oauth2
 * reads token responses through the same 1 MiB limit.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * A response body was larger than the client accepts. The facade reports it as a
 * ResponseParseError; callers of a provider's typed client get this error itself.
 */
export class ResponseTooLargeError extends RangeError {
  override name = "ResponseTooLargeError";
  readonly maxBytes: number;
  readonly status: number;

  constructor(maxBytes: number, status: number) {
    super(`response body is larger than ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
    this.status = status;
  }
}

/**
 * An openapi-fetch middleware that refuses a declared Content-Length above `maxBytes` before
 * reading, and counts the bytes of chunked or compressed bodies as they stream: the first byte past
 * the limit cancels the download and fails the read with ResponseTooLargeError.
 */
export function limitResponseBody(maxBytes: number = DEFAULT_MAX_RESPONSE_BYTES): Middleware {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError("maxBytes must be a non-negative integer");
  }
  return {
    async onResponse({ response }) {
      // fetch gives 204, 205 and 304 a null body, and `new Response` could not take one for them.
      if (response.body === null) return undefined;
      const header = response.headers.get("Content-Length");
      const declared = header !== null && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
      if (declared !== undefined && declared > maxBytes) {
        await response.body.cancel().catch(() => {});
        throw new ResponseTooLargeError(maxBytes, response.status);
      }
      // HTTP framing holds a body to its declared length, so only bodies without one, or compressed
      // ones (the length is before decoding: a small gzip can decode to gigabytes), are counted.
      if (declared !== undefined && !response.headers.has("Content-Encoding")) return undefined;
      let received = 0;
      const counter = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          received += chunk.byteLength;
          if (received > maxBytes) controller.error(new ResponseTooLargeError(maxBytes, response.status));
          else controller.enqueue(chunk);
        },
      });
      const { status, statusText, headers } = response;
      return new Response(response.body.pipeThrough(counter), { status, statusText, headers });
    },
  };
}
