import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createProviderClient,
  NetworkError,
  type OAuthError,
  providerError,
  RedirectRefusedError,
  RequestBuildError,
  ResponseParseError,
  UnexpectedRedirectError,
  withRequestContext,
} from "../src/index.js";

type Post = {
  parameters: { query?: never; header?: never; path?: never; cookie?: never };
  requestBody?: never;
  responses: { 200: { headers: Record<string, unknown>; content: { "application/json": unknown } } };
};
type Paths = { [path in "/token" | "/moved" | "/ok"]: { post: Post } };

const SECRET = "s3cr3t"; // short: only the call's secret list can catch it

/** Every path the server was asked for, so a followed redirect would show. */
const hits: string[] = [];
const server = createServer((req, res) => {
  hits.push(req.url ?? "");
  if (req.url === "/moved") {
    res.writeHead(307, { Location: "/elsewhere", "Content-Type": "application/json" });
    res.end(JSON.stringify({ moved: true }));
    return;
  }
  if (req.url === "/elsewhere") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ followed: true }));
    return;
  }
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ ok: true }));
});
let baseUrl = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const base = { provider: "test", operation: "exchange" as const, timeoutMs: 5_000 };

/** One token call through the facade's request context, with the client secret as a known secret. */
function call(client: ReturnType<typeof createProviderClient<Paths>>, path: "/token" | "/moved" | "/ok") {
  return withRequestContext(base, undefined, async (ctx) => {
    ctx.secrets.push(SECRET);
    const { data } = await client.POST(path, { signal: ctx.signal });
    return data;
  });
}

function everyRendering(error: unknown): string {
  const e = error as Error & { cause?: unknown };
  return [String(e), e.message, e.stack, JSON.stringify(e), inspect(e, { depth: 10 })].join("\n");
}

describe("provider client: redirects, runtime failures and request building", () => {
  it("a 3xx answer is an UnexpectedRedirectError with its status, and the redirect is not followed", async () => {
    hits.length = 0;
    const client = createProviderClient<Paths>({ baseUrl });
    const error = await call(client, "/moved").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedRedirectError);
    expect(error).toBeInstanceOf(ResponseParseError);
    expect(error).toMatchObject({ status: 307, provider: "test", operation: "exchange" });
    expect(hits).toEqual(["/moved"]);
    // Callers of the typed client itself get the middleware's error.
    await expect(client.POST("/moved", { signal: AbortSignal.timeout(5_000) })).rejects.toBeInstanceOf(
      RedirectRefusedError,
    );
  });

  it("an opaque redirect (status 0, as browsers return for redirect: manual) is an UnexpectedRedirectError", async () => {
    const opaque = async () => {
      const response = new Response(null);
      Object.defineProperty(response, "type", { value: "opaqueredirect" });
      Object.defineProperty(response, "status", { value: 0 });
      return response;
    };
    const client = createProviderClient<Paths>({ baseUrl, fetch: opaque });
    const error = await call(client, "/token").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedRedirectError);
    expect((error as OAuthError).status).toBe(0);
  });

  it("requests are built with redirect: manual, which every runtime accepts", async () => {
    let mode: RequestRedirect | undefined;
    const client = createProviderClient<Paths>({
      baseUrl,
      fetch: async (request: Request) => {
        mode = request.redirect;
        return fetch(request);
      },
    });
    expect(await call(client, "/ok")).toEqual({ ok: true });
    expect(mode).toBe("manual");
  });

  it("a failed fetch is a NetworkError that keeps the runtime's own message", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = createProviderClient<Paths>({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await call(client, "/token").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(String(error)).toMatch(
      /request failed before an HTTP answer: TypeError \(ECONNREFUSED\): fetch failed/,
    );
    expect(String(error)).toContain(`127.0.0.1:${port}`);
  });

  it("a runtime's message is redacted of the call's secrets and kept on one line", async () => {
    const client = createProviderClient<Paths>({
      baseUrl,
      fetch: async () => {
        throw new TypeError(`socket hang up sending client_secret=${SECRET}\r\nX-Forged: yes`);
      },
    });
    const error = await call(client, "/token").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toContain("socket hang up sending client_secret=[redacted]");
    expect((error as Error).message).not.toMatch(/[\r\n]/);
    expect(everyRendering(error)).not.toContain(SECRET);
  });

  it("a TypeError while building the request is a RequestBuildError, not a NetworkError", async () => {
    let sent = 0;
    const client = createProviderClient<Paths>({
      baseUrl: "http://127.0.0.1:99999",
      fetch: async () => {
        sent++;
        return new Response("{}");
      },
    });
    const error = await call(client, "/token").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestBuildError);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect(String(error)).toMatch(/the runtime refused to build the request: TypeError.*Invalid URL/);
    expect(sent).toBe(0);
  });
});

describe("provider error codes", () => {
  it("a provider code that echoes a known secret is redacted in every rendering", () => {
    const ctx = {
      provider: "test",
      operation: "exchange" as const,
      signal: AbortSignal.timeout(1),
      secrets: [SECRET],
    };
    const error = providerError(ctx, { status: 400, providerCode: SECRET, description: `bad ${SECRET}` });
    expect(error.providerCode).toBe("[redacted]");
    expect(everyRendering(error)).not.toContain(SECRET);
  });
});
