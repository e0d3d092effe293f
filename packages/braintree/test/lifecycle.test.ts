import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createOAuthClient,
  InvalidCallbackError,
  InvalidGrantError,
  MemoryTokenStore,
  ProviderError,
  ReauthorizationRequiredError,
  ResponseParseError,
  StoreError,
  storeKey,
  type TokenData,
  TokenNotPersistedError,
  type TokenUpdateEvent,
  UnexpectedRedirectError,
  type WriteCondition,
} from "@partner-oauth/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type BraintreeCredentials, braintree, escapeXml } from "../src/index.js";

// Braintree-specific lifecycle rules against an in-process scripted gateway: the exact request the
// SDK sends, refresh-token rotation (persisted before anyone gets the new access token), dead grants,
// revoking a dead token, and hostile or broken XML answers.

const CLIENT_ID = "client_id$sandbox$abc123";
const CLIENT_SECRET = "client_secret$sandbox$s3cr3tvalue987";
const REDIRECT_URI = "https://partner.example/braintree/callback";
const MERCHANT = "m3rchant42";
const NOW = Date.parse("2036-05-01T12:00:00Z");
const KEY = storeKey({ provider: "braintree", tokenType: "default", account: "acct" });

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Reply {
  status: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Send the body but never end the response. */
  hold?: boolean;
}

let server: Server;
let baseUrl: string;
let script: Reply[] = [];
let seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      seen.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, body });
      const reply = script.shift() ?? { status: 599, body: "unscripted request" };
      response.writeHead(reply.status, {
        "Content-Type": reply.contentType ?? "application/xml; charset=utf-8",
        ...reply.headers,
      });
      if (reply.hold) response.write(reply.body ?? "");
      else response.end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  script = [];
  seen = [];
});

function credentialsXml(access: string, refresh: string, extra = "") {
  return `<?xml version="1.0" encoding="UTF-8"?>
<credentials>
  <access-token>${escapeXml(`access_token$sandbox$${MERCHANT}$${access}`)}</access-token>
  <refresh-token>${escapeXml(refresh)}</refresh-token>
  <expires-at type="datetime">2036-05-02T12:00:00Z</expires-at>
  <token-type>bearer</token-type>
  <scope>read_write,shared_vault_transactions</scope>${extra}
</credentials>`;
}

function apiError(code: string, message: string) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<api-error-response>
  <errors><errors type="array"/><credentials><errors type="array"><error>
    <code>${code}</code><attribute type="symbol">refresh_token</attribute><message>${escapeXml(message)}</message>
  </error></errors></credentials></errors>
  <params><credentials><refresh-token>rt-echoed-secret-value</refresh-token></credentials></params>
  <message>${escapeXml(message)}</message>
</api-error-response>`;
}

function setup(options: { now?: number; store?: MemoryTokenStore } = {}) {
  const clock = { now: options.now ?? NOW };
  const provider = braintree({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    environment: "sandbox",
    baseUrl,
    now: () => clock.now,
  });
  const store = options.store ?? new MemoryTokenStore();
  const events: TokenUpdateEvent<BraintreeCredentials>[] = [];
  const oauth = createOAuthClient(provider, {
    store,
    timeoutMs: 5000,
    now: () => clock.now,
    onTokenUpdate: (event) => {
      events.push(event);
    },
  });
  return { provider, oauth, store, events, clock };
}

async function connect(oauth: ReturnType<typeof setup>["oauth"], params: Record<string, string> = {}) {
  const callback = new URLSearchParams({ code: "the-code-123", state: "s", merchantId: MERCHANT, ...params });
  return oauth.handleCallback(callback, { expectedState: "s", account: "acct" });
}

describe("what goes on the wire", () => {
  it("sends the official Node SDK's request: JSON body, Accept XML, X-ApiVersion 6, raw Basic", async () => {
    const { oauth } = setup();
    script.push({ status: 201, body: credentialsXml("at1", "rt1") });
    await connect(oauth);
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request).toMatchObject({ method: "POST", path: "/oauth/access_tokens" });
    // Raw `id:secret`, not form-urlencoded: the `$` separators stay `$` (not `%24`).
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64");
    expect(request?.headers.authorization).toBe(`Basic ${basic}`);
    expect(request?.headers["x-apiversion"]).toBe("6");
    expect(request?.headers.accept).toBe("application/xml");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request?.body ?? "")).toEqual({
      grant_type: "authorization_code",
      code: "the-code-123",
    });
  });

  it("refuses to follow a redirect with the client credentials", async () => {
    const { oauth, store } = setup();
    script.push({ status: 307, headers: { Location: "http://127.0.0.1:9/steal" } });
    const error = await connect(oauth).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedRedirectError);
    expect(error).toMatchObject({ status: 307, operation: "exchange" });
    expect(seen).toHaveLength(1);
    expect(store.size).toBe(0);
  });
});

describe("refresh-token rotation", () => {
  it("stores the new refresh token before the refreshed token is handed out, and refreshes with it next", async () => {
    const log: string[] = [];
    class RecordingStore extends MemoryTokenStore {
      override async compareAndSet(key: string, token: TokenData, condition: WriteCondition) {
        const result = await super.compareAndSet(key, token, condition);
        log.push(`stored ${token.refreshToken}`);
        return result;
      }
    }
    const { oauth, events } = setup({ store: new RecordingStore() });
    script.push({ status: 201, body: credentialsXml("at1", "rt1") });
    await connect(oauth);
    script.push({ status: 201, body: credentialsXml("at2", "rt2") });
    const refreshed = oauth.refresh("acct").then((token) => {
      log.push(`resolved ${token.refreshToken}`);
      return token;
    });
    expect((await refreshed).accessToken).toBe(`access_token$sandbox$${MERCHANT}$at2`);
    expect(log).toEqual(["stored rt1", "stored rt2", "resolved rt2"]);
    expect(events.map((event) => [event.reason, event.token?.refreshToken])).toEqual([
      ["exchange", "rt1"],
      ["refresh", "rt2"],
    ]);
    expect(JSON.parse(seen[1]?.body ?? "")).toEqual({ grant_type: "refresh_token", refresh_token: "rt1" });

    script.push({ status: 201, body: credentialsXml("at3", "rt3") });
    await oauth.refresh("acct").then((token) => log.push(`resolved ${token.refreshToken}`));
    expect(JSON.parse(seen[2]?.body ?? "")).toEqual({ grant_type: "refresh_token", refresh_token: "rt2" });
    expect(log.slice(-2)).toEqual(["stored rt3", "resolved rt3"]);
  });

  it("hands out nothing when the rotated token cannot be stored", async () => {
    let failWrites = false;
    class FlakyStore extends MemoryTokenStore {
      override async compareAndSet(key: string, token: TokenData, condition: WriteCondition) {
        if (failWrites) throw new StoreError("disk full", { retryable: false });
        return super.compareAndSet(key, token, condition);
      }
    }
    const { oauth, store } = setup({ store: new FlakyStore() });
    script.push({ status: 201, body: credentialsXml("at1", "rt1") });
    await connect(oauth);
    failWrites = true;
    script.push({ status: 201, body: credentialsXml("at2", "rt2") });
    await expect(oauth.refresh("acct")).rejects.toBeInstanceOf(TokenNotPersistedError);
    expect((await store.get(KEY))?.refreshToken).toBe("rt1");
  });

  it("sends one refresh for concurrent callers of an expired token (the old refresh token dies with it)", async () => {
    const { oauth, clock } = setup();
    script.push({ status: 201, body: credentialsXml("at1", "rt1") });
    await connect(oauth);
    clock.now = Date.parse("2036-05-02T12:00:00Z");
    script.push({ status: 201, body: credentialsXml("at2", "rt2") });
    const tokens = await Promise.all([
      oauth.getToken("acct"),
      oauth.getToken("acct"),
      oauth.getToken("acct"),
    ]);
    expect(new Set(tokens.map((token) => token.refreshToken))).toEqual(new Set(["rt2"]));
    expect(seen).toHaveLength(2);
  });

  it("drops the grant on 93801 and tells every caller to reconnect", async () => {
    const { oauth, store, events } = setup();
    script.push({ status: 201, body: credentialsXml("at1", "rt1") });
    await connect(oauth);
    script.push({ status: 422, body: apiError("93801", "Invalid grant: refresh token not found") });
    const errors = await Promise.all([
      oauth.refresh("acct").catch((e: unknown) => e),
      oauth.refresh("acct").catch((e: unknown) => e),
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(ReauthorizationRequiredError);
      expect((error as Error).cause).toBeInstanceOf(InvalidGrantError);
      const text = `${String(error)} ${JSON.stringify(error)} ${JSON.stringify((error as Error).cause)}`;
      expect(text).not.toContain("rt-echoed-secret-value");
      expect(text).not.toContain("rt1");
    }
    expect(seen).toHaveLength(2);
    expect(store.size).toBe(0);
    expect(events.at(-1)).toMatchObject({ reason: "invalidated", token: undefined });
  });

  it("finds the grant-killing error among several", async () => {
    const { oauth, store } = setup();
    script.push({ status: 201, body: credentialsXml("at1", "rt1") });
    await connect(oauth);
    const both = apiError("93803", "Invalid scope: scope is invalid").replace(
      "</errors></credentials>",
      "<error><code>93801</code><message>Invalid grant: refresh token not found</message></error></errors></credentials>",
    );
    script.push({ status: 422, body: both });
    await expect(oauth.refresh("acct")).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    expect(store.size).toBe(0);
  });
});

describe("token normalization", () => {
  it("splits comma-separated scopes and falls back to a 24 h expiry when expires-at is missing", async () => {
    const { oauth } = setup();
    script.push({
      status: 200,
      body: `<credentials><access-token>access_token$sandbox$${MERCHANT}$x</access-token><token-type>bearer</token-type><scope>read_write,shared_vault_transactions</scope></credentials>`,
    });
    const token = await connect(oauth);
    expect(token.scopes).toEqual(["read_write", "shared_vault_transactions"]);
    expect(token.expiresAt).toBe(NOW + 24 * 3600 * 1000);
    expect(token.refreshToken).toBeUndefined();
    expect(token.refreshTokenExpiresAt).toBeUndefined();
  });

  it("reads a refresh-token expiry only if Braintree sends one, and treats nil as absent", async () => {
    const { oauth } = setup();
    script.push({
      status: 201,
      body: credentialsXml(
        "at1",
        "rt1",
        `<refresh-token-expires-at type="datetime">2036-10-28T12:00:00Z</refresh-token-expires-at>`,
      ).replace("<scope>read_write,shared_vault_transactions</scope>", '<scope nil="true"/>'),
    });
    const token = await connect(oauth);
    expect(token.refreshTokenExpiresAt).toBe(Date.parse("2036-10-28T12:00:00Z"));
    expect(token.scopes).toEqual([]);
  });
});

describe("merchantId from the callback", () => {
  it("revokes the grant it refuses when the callback's merchantId names another merchant", async () => {
    const { oauth, store } = setup();
    script.push({ status: 201, body: credentialsXml("a1", "refresh-1") });
    script.push({ status: 200, body: '<result><success type="boolean">true</success></result>' });
    await expect(connect(oauth, { merchantId: "someoneelse" })).rejects.toBeInstanceOf(InvalidCallbackError);
    expect(seen.map((request) => request.path)).toEqual([
      "/oauth/access_tokens",
      "/oauth/revoke_access_token",
    ]);
    expect(JSON.parse(seen[1]?.body ?? "{}")).toEqual({ token: `access_token$sandbox$${MERCHANT}$a1` });
    expect(store.size).toBe(0);
  });

  it("refuses a malformed merchantId before spending the code", async () => {
    const { oauth } = setup();
    await expect(connect(oauth, { merchantId: "../x" })).rejects.toBeInstanceOf(InvalidCallbackError);
    expect(seen).toHaveLength(0);
  });
});

describe("revoke", () => {
  it("resolves and forgets the token when Braintree says it is already invalid (93801)", async () => {
    const { oauth, store } = setup();
    script.push({ status: 201, body: credentialsXml("at1", "rt1") });
    await connect(oauth);
    script.push({ status: 422, body: apiError("93801", "Invalid grant: token not found") });
    await oauth.revoke("acct");
    expect(JSON.parse(seen[1]?.body ?? "")).toEqual({ token: `access_token$sandbox$${MERCHANT}$at1` });
    expect(seen[1]?.path).toBe("/oauth/revoke_access_token");
    expect(store.size).toBe(0);
  });

  it("keeps the token when the gateway does not confirm", async () => {
    const { oauth, store } = setup();
    script.push({ status: 201, body: credentialsXml("at1", "rt1") });
    await connect(oauth);
    script.push({ status: 200, body: '<result><success type="boolean">false</success></result>' });
    await expect(oauth.revoke("acct")).rejects.toBeInstanceOf(ProviderError);
    expect(store.size).toBe(1);
  });
});

describe("hostile or broken answers become ResponseParseError, and nothing is stored", () => {
  const token = `access_token$sandbox$${MERCHANT}$leakme`;
  it.each([
    [
      "XXE",
      201,
      `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><credentials><access-token>&e;</access-token></credentials>`,
    ],
    [
      "an oversized body",
      201,
      `<credentials><access-token>${"a".repeat(70_000)}</access-token></credentials>`,
    ],
    ["JSON", 201, `{"access_token":"${token}"}`],
    ["an HTML error page", 422, "<html><body><h1>Bad gateway</h1><br></body></html>"],
    ["an empty 422", 422, ""],
    ["another document", 201, '<result><success type="boolean">true</success></result>'],
    [
      "a repeated access-token",
      201,
      `<credentials><access-token>${token}</access-token><access-token>b</access-token><token-type>bearer</token-type></credentials>`,
    ],
    ["a missing access-token", 201, "<credentials><token-type>bearer</token-type></credentials>"],
    [
      "a bad expires-at",
      201,
      `<credentials><access-token>${token}</access-token><token-type>bearer</token-type><expires-at>tomorrow</expires-at></credentials>`,
    ],
    ["truncated XML", 201, `<credentials><access-token>${token}</access-token><token-type>bea`],
    ["an empty 200", 200, ""],
  ])("on %s", async (_name, status, body) => {
    const { oauth, store } = setup();
    script.push({ status, body });
    const error = await connect(oauth).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseParseError);
    expect(error).toMatchObject({ provider: "braintree", operation: "exchange" });
    expect(`${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`).not.toContain("leakme");
    expect(store.size).toBe(0);
  });
});

describe("response size", () => {
  it("refuses a body declared larger than 64 KiB at once, without waiting for it", async () => {
    const { oauth, store } = setup();
    // Without the cap the read would wait for 10 MiB that never come, until the 5 s timeout.
    script.push({
      status: 201,
      body: "<credentials>",
      headers: { "Content-Length": "10485760" },
      hold: true,
    });
    const started = Date.now();
    const error = await connect(oauth).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseParseError);
    expect(error).toMatchObject({ provider: "braintree", operation: "exchange", status: 201 });
    expect(String(error)).toContain("larger than 65536 bytes");
    expect(Date.now() - started).toBeLessThan(2500);
    expect(store.size).toBe(0);
  });
});

describe("options", () => {
  const valid = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI };
  it.each([
    ["a ':' in the client id", { clientId: "client_id$sandbox$a:b" }, /clientId must not contain ':'/],
    [
      "a ':' in the secret",
      { clientSecret: "client_secret$sandbox$a:b" },
      /clientSecret must not contain ':'/,
    ],
    ["a control character", { clientSecret: "client_secret$sandbox$a\nb" }, /control characters/],
    ["a DEL character", { clientId: "client_id$sandbox$a\u007f" }, /control characters/],
    ["a production id in sandbox", { clientId: "client_id$production$abc" }, /client_id\$sandbox\$/],
    ["a secret that is not one", { clientSecret: "hunter2hunter2" }, /client_secret\$sandbox\$/],
    ["a missing secret", { clientSecret: "" }, /clientSecret is required/],
    ["an unknown environment", { environment: "staging" }, /unknown Braintree environment/],
  ])("refuses %s with a TypeError that quotes no secret", (_name, override, message) => {
    const options = { ...valid, environment: "sandbox", ...override } as Parameters<typeof braintree>[0];
    let error: unknown;
    try {
      braintree(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(options.clientSecret.slice(14) || "\u0000");
  });
});
