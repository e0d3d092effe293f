import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createOAuthClient,
  InvalidClientError,
  InvalidGrantError,
  MemoryTokenStore,
  NetworkError,
  ProviderError,
  ReauthorizationRequiredError,
  storeKey,
  TimeoutError,
} from "@partner-oauth/core";
import { assertNoSecrets } from "@partner-oauth/mocks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SquareProviderBase, square } from "../src/index.js";

// Lifecycle rules specific to Square, against an in-process server on loopback whose refreshes
// behave like Square's PKCE flow: every refresh spends the single-use refresh token and returns a
// new one (the code flow's reusable refresh token is the easier case of the same handling).

type Fault =
  | { kind: "status"; status: number; body: string; contentType?: string }
  | { kind: "drop" }
  | { kind: "delay"; ms: number };

const NOW = Date.parse("2036-11-23T12:00:00Z");
const KEY = storeKey({ provider: "square", tokenType: "default", account: "m-1" });
const SECRET = "sq0csp-lifecycle_secret";
const UNKNOWN_ROUTE = JSON.stringify({
  errors: [
    { category: "INVALID_REQUEST_ERROR", code: "NOT_FOUND", detail: "API endpoint for URL path not found" },
  ],
});

class SquareLikeServer {
  readonly tokenRequests: Record<string, unknown>[] = [];
  readonly faults: Fault[] = [];
  readonly live = new Set<string>();
  url = "";
  #server: Server | undefined;
  #counter = 0;

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      req.on("end", async () => {
        // Square's answer for a route it does not serve (the same code as an unknown token, on a 404).
        if (req.url !== "/oauth2/token") {
          res.writeHead(404, { "Content-Type": "application/json" });
          return void res.end(UNKNOWN_ROUTE);
        }
        const body = JSON.parse(text) as Record<string, unknown>;
        this.tokenRequests.push(body);
        const fault = this.faults.shift();
        if (fault?.kind === "drop") return void req.socket.destroy();
        if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
        if (fault?.kind === "status") {
          res.writeHead(fault.status, { "Content-Type": fault.contentType ?? "application/json" });
          return void res.end(fault.body);
        }
        if (body.grant_type === "refresh_token" && !this.live.delete(String(body.refresh_token))) {
          res.writeHead(401, { "Content-Type": "application/json" });
          return void res.end(
            JSON.stringify({ message: "Invalid refresh token", type: "service.not_authorized" }),
          );
        }
        const n = ++this.#counter;
        const refreshToken = `EQAA-rotated-${n}-${crypto.randomUUID()}`;
        this.live.add(refreshToken);
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(
          JSON.stringify({
            access_token: `EAAA-access-${n}-${crypto.randomUUID()}`,
            token_type: "bearer",
            expires_at: "2036-12-23T12:00:00Z",
            merchant_id: "MERCHANT1",
            refresh_token: refreshToken,
            refresh_token_expires_at: "2037-02-21T12:00:00Z",
            short_lived: false,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}

const server = new SquareLikeServer();
beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.tokenRequests.length = 0;
  server.faults.length = 0;
});

/** A grant of the confidential adapter (Square's code flow: the secret, no PKCE). */
function connected(clock: { now: number } = { now: NOW }) {
  const provider = square({
    clientId: "sq0idp-app",
    clientSecret: SECRET,
    environment: "sandbox",
    baseUrl: server.url,
  });
  return connect(provider, clock, undefined);
}

/** A grant of the public adapter (Square's PKCE flow: single-use refresh tokens that rotate). */
function connectedPkce(clock: { now: number } = { now: NOW }) {
  const provider = square({ clientId: "sq0idp-app", environment: "sandbox", baseUrl: server.url });
  return connect(provider, clock, "v".repeat(43));
}

async function connect<P extends SquareProviderBase>(
  provider: P,
  clock: { now: number },
  codeVerifier: string | undefined,
) {
  const store = new MemoryTokenStore();
  const oauth = createOAuthClient(provider, { store, timeoutMs: 1000, now: () => clock.now });
  const token = await oauth.exchange("sq0cgb-code", { codeVerifier, account: "m-1" });
  server.tokenRequests.length = 0;
  return { oauth, store, token };
}

function expectNoSecrets(error: unknown, ...secrets: string[]) {
  assertNoSecrets(error, [SECRET, ...secrets]);
}

describe("a 404 NOT_FOUND is a wrong route, not a dead grant", () => {
  it("a refresh answered 404 NOT_FOUND keeps the grant", async () => {
    const { oauth, store } = await connected();
    const before = await store.get(KEY);
    server.faults.push({ kind: "status", status: 404, body: UNKNOWN_ROUTE });
    const error = await oauth.refresh("m-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).not.toBeInstanceOf(InvalidGrantError);
    expect(error).not.toBeInstanceOf(ReauthorizationRequiredError);
    expect(await store.get(KEY)).toEqual(before);
  });

  it("a revoke answered 404 NOT_FOUND fails and keeps the token", async () => {
    const { oauth, store } = await connected();
    await expect(oauth.revoke("m-1")).rejects.toMatchObject({ status: 404, providerCode: "NOT_FOUND" });
    expect(await store.get(KEY)).toBeDefined();
  });
});

describe("no automatic retry of a token request", () => {
  it.each([
    [
      "500 JSON",
      {
        kind: "status",
        status: 500,
        body: '{"errors":[{"category":"API_ERROR","code":"INTERNAL_SERVER_ERROR"}]}',
      },
    ],
    ["502 HTML", { kind: "status", status: 502, body: "<html>Bad Gateway</html>", contentType: "text/html" }],
    ["503 empty", { kind: "status", status: 503, body: "" }],
  ] as const)("sends a refresh answered %s exactly once and keeps the grant", async (_name, fault) => {
    const { oauth, store, token } = await connected();
    const before = await store.get(KEY);
    server.faults.push(fault);
    const error = await oauth.refresh("m-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).not.toBeInstanceOf(ReauthorizationRequiredError);
    expect(error).toMatchObject({ code: "server_error", status: fault.status, operation: "refresh" });
    expect(server.tokenRequests).toHaveLength(1);
    expect(await store.get(KEY)).toEqual(before);
    expectNoSecrets(error, token.accessToken, token.refreshToken as string);
    // The refresh token was not spent by a hidden second attempt: it still works.
    await expect(oauth.refresh("m-1")).resolves.toMatchObject({ subject: "MERCHANT1" });
  });

  it("sends a refresh whose connection drops exactly once", async () => {
    const { oauth, store } = await connected();
    const before = await store.get(KEY);
    server.faults.push({ kind: "drop" });
    await expect(oauth.refresh("m-1")).rejects.toBeInstanceOf(NetworkError);
    expect(server.tokenRequests).toHaveLength(1);
    expect(await store.get(KEY)).toEqual(before);
  });

  it("sends a refresh that times out exactly once", async () => {
    const { oauth, store } = await connected();
    const before = await store.get(KEY);
    server.faults.push({ kind: "delay", ms: 1500 });
    await expect(oauth.refresh("m-1")).rejects.toBeInstanceOf(TimeoutError);
    expect(server.tokenRequests).toHaveLength(1);
    expect(await store.get(KEY)).toEqual(before);
  });
});

describe("PKCE refresh-token rotation", () => {
  it("always refreshes with the newest refresh token and stores each rotated one", async () => {
    const { oauth, store, token } = await connectedPkce();
    const first = await oauth.refresh("m-1");
    const second = await oauth.refresh("m-1");
    expect(server.tokenRequests.map((r) => r.refresh_token)).toEqual([
      token.refreshToken,
      first.refreshToken,
    ]);
    expect(server.tokenRequests[0]).toMatchObject({ grant_type: "refresh_token", client_id: "sq0idp-app" });
    expect(server.tokenRequests[0]).not.toHaveProperty("client_secret"); // PKCE flow: no secret
    expect(await store.get(KEY)).toMatchObject({
      refreshToken: second.refreshToken,
      refreshTokenExpiresAt: Date.parse("2037-02-21T12:00:00Z"),
    });
  });

  it("lets concurrent callers share one refresh of an expiring token", async () => {
    const clock = { now: NOW };
    const { oauth } = await connectedPkce(clock);
    clock.now = Date.parse("2036-12-23T11:59:30Z"); // inside the 60 s skew
    const tokens = await Promise.all(Array.from({ length: 5 }, () => oauth.getToken("m-1")));
    expect(server.tokenRequests).toHaveLength(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
  });

  it("deletes the grant when Square says the refresh token is invalid (already rotated)", async () => {
    const { oauth, store, token } = await connectedPkce();
    server.live.delete(token.refreshToken as string); // spent elsewhere
    const error = await oauth.refresh("m-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReauthorizationRequiredError);
    expect(store.size).toBe(0);
    expect(server.tokenRequests).toHaveLength(1);
    expectNoSecrets(error, token.refreshToken as string);
  });

  it("keeps the grant when Square rejects the client (Not Authorized): a config error is not the seller's", async () => {
    const { oauth, store } = await connected();
    const before = await store.get(KEY);
    server.faults.push({
      kind: "status",
      status: 401,
      body: JSON.stringify({ message: "Not Authorized", type: "service.not_authorized" }),
    });
    await expect(oauth.refresh("m-1")).rejects.toBeInstanceOf(InvalidClientError);
    expect(await store.get(KEY)).toEqual(before);
  });
});
