import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createProviderClient,
  limitResponseBody,
  ResponseParseError,
  ResponseTooLargeError,
  withRequestContext,
} from "../src/index.js";

type Get = {
  parameters: { query?: never; header?: never; path?: never; cookie?: never };
  requestBody?: never;
  responses: {
    200: { headers: Record<string, unknown>; content: { "application/json": unknown } };
    400: { headers: Record<string, unknown>; content: { "application/json": unknown } };
  };
};
type Paths = {
  [path in
    | "/exact"
    | "/stream"
    | "/declared"
    | "/error"
    | "/empty"
    | "/one-mib"
    | "/one-mib-and-a-byte"
    | "/gzip-bomb"]: {
    get: Get;
  };
};

const LIMIT = 1024;
const CHUNK = Buffer.alloc(256, "a");

/** How the last `/stream` answer ended: how many bytes the server managed to write before the close. */
let streamed = { bytes: 0, closedEarly: false };

function stream(res: ServerResponse): void {
  streamed = { bytes: 0, closedEarly: false };
  res.writeHead(200, { "Content-Type": "application/json" });
  // Up to 64 MiB, one chunk per tick: a client that reads it all would take seconds and buffer it.
  const timer = setInterval(() => {
    if (streamed.bytes >= 64 * 1024 * 1024) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(CHUNK);
    streamed.bytes += CHUNK.length;
  }, 1);
  res.on("close", () => {
    clearInterval(timer);
    streamed.closedEarly = !res.writableEnded;
  });
}

const server = createServer((req, res) => {
  switch (req.url) {
    case "/exact":
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ pad: "x".repeat(LIMIT - 10) }));
      return;
    case "/stream":
      stream(res);
      return;
    case "/declared":
      // Declares 10 MiB, then sends almost nothing and never ends: reading it would hang.
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(10 * 1024 * 1024) });
      res.write("{");
      return;
    case "/error":
      res.writeHead(400, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: "invalid_request", pad: "x".repeat(2 * LIMIT) }));
      return;
    case "/gzip-bomb": {
      // A few hundred bytes on the wire, 100 KB once fetch has decoded it.
      const packed = gzipSync(JSON.stringify({ pad: "x".repeat(100_000) }));
      res.writeHead(200, {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "Content-Length": String(packed.length),
      });
      res.end(packed);
      return;
    }
    case "/one-mib":
    case "/one-mib-and-a-byte": {
      // Chunked, no Content-Length: the streaming count decides.
      const size = 1024 * 1024 + (req.url === "/one-mib" ? 0 : 1);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('"');
      res.write("x".repeat(size - 2));
      res.end('"');
      return;
    }
    default:
      res.writeHead(204);
      res.end();
  }
});
let baseUrl = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = () => createProviderClient<Paths>({ baseUrl, maxResponseBytes: LIMIT });
const signal = () => AbortSignal.timeout(5000);

describe("response body limit", () => {
  it("a body of exactly the limit is read unchanged", async () => {
    const { data, response } = await client().GET("/exact", { signal: signal() });
    expect(response.status).toBe(200);
    expect(data).toEqual({ pad: "x".repeat(LIMIT - 10) });
  });

  it("a streamed body past the limit fails and the download is cancelled", async () => {
    const error = await client()
      .GET("/stream", { signal: signal() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ maxBytes: LIMIT, status: 200 });
    await expect.poll(() => streamed.closedEarly, { timeout: 4000 }).toBe(true);
    // The server stopped within a few chunks of the limit, far from its 64 MiB.
    expect(streamed.bytes).toBeLessThan(64 * 1024);
  });

  it("a declared Content-Length past the limit fails before the body is read", async () => {
    const started = Date.now();
    await expect(client().GET("/declared", { signal: signal() })).rejects.toBeInstanceOf(
      ResponseTooLargeError,
    );
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it("a compressed body is counted after decoding, whatever its declared length", async () => {
    await expect(client().GET("/gzip-bomb", { signal: signal() })).rejects.toBeInstanceOf(
      ResponseTooLargeError,
    );
  });

  it("a malformed Content-Length does not count as a declared length", async () => {
    const body = JSON.stringify({ pad: "x".repeat(2 * LIMIT) });
    const headers = { "Content-Type": "application/json", "Content-Length": "12abc" };
    const odd = createProviderClient<Paths>({
      baseUrl,
      maxResponseBytes: LIMIT,
      fetch: async () => new Response(body, { headers }),
    });
    await expect(odd.GET("/exact", { signal: signal() })).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it("error bodies are capped too", async () => {
    await expect(client().GET("/error", { signal: signal() })).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it("a response without a body passes through", async () => {
    const { response } = await client().GET("/empty", { signal: signal() });
    expect(response.status).toBe(204);
  });

  it("the facade's request context reports it as a ResponseParseError of the operation", async () => {
    const error = await withRequestContext(
      { provider: "scripted", operation: "exchange", timeoutMs: 5000 },
      undefined,
      (ctx) => client().GET("/stream", { signal: ctx.signal }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseParseError);
    expect(error).toMatchObject({ provider: "scripted", operation: "exchange", status: 200 });
    expect(String(error)).toContain(`larger than ${LIMIT} bytes`);
  });

  it("the default limit is 1 MiB", async () => {
    const defaults = createProviderClient<Paths>({ baseUrl });
    const { data } = await defaults.GET("/one-mib", { signal: signal() });
    expect(typeof data === "string" && data.length).toBe(1024 * 1024 - 2);
    await expect(defaults.GET("/one-mib-and-a-byte", { signal: signal() })).rejects.toMatchObject({
      name: "ResponseTooLargeError",
      maxBytes: 1024 * 1024,
    });
  });

  it("a limit that is not a non-negative integer is refused", () => {
    expect(() => limitResponseBody(-1)).toThrow(RangeError);
    expect(() => limitResponseBody(1.5)).toThrow(RangeError);
    expect(() => limitResponseBody(Number.NaN)).toThrow(RangeError);
  });
});
