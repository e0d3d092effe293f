import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { gocardless } from "../src/index.js";

// GoCardless splits OAuth across two hosts: the connect host (token, revoke) and the api host (REST,
// here the creditor lookup). The contract tests use one Prism for both, so they cannot see a call
// sent to the wrong host: these two loopback servers can, and they check the bodies on the wire.

interface Seen {
  host: "connect" | "api";
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const seen: Seen[] = [];
const servers: Server[] = [];

function serve(
  host: Seen["host"],
  answer: (path: string) => { status: number; body: string },
): Promise<string> {
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      const path = request.url ?? "";
      seen.push({ host, method: request.method ?? "", path, headers: request.headers, body });
      const { status, body: text } = answer(path.split("?")[0] ?? "");
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(text);
    });
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const TOKEN = {
  access_token: "live_oauth_access_token_0123456789abcdef",
  token_type: "bearer",
  scope: "read_write",
  organisation_id: "OR123",
};

const CREDITORS = { status: 200, body: JSON.stringify({ creditors: [{ id: "CR123", name: "Shop" }] }) };
let creditorsAnswer = CREDITORS;
let connectUrl = "";
let apiUrl = "";
beforeAll(async () => {
  connectUrl = await serve("connect", (path) =>
    path === "/oauth/access_token"
      ? { status: 200, body: JSON.stringify(TOKEN) }
      : path === "/oauth/revoke"
        ? { status: 200, body: "" }
        : { status: 404, body: JSON.stringify({ error: "not_found" }) },
  );
  apiUrl = await serve("api", (path) =>
    path === "/creditors" ? creditorsAnswer : { status: 404, body: "{}" },
  );
});
afterEach(() => {
  seen.length = 0;
  creditorsAnswer = CREDITORS;
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A facade over the two loopback hosts, with one grant exchanged for `merchant-42`. */
async function connected() {
  const provider = gocardless({
    clientId: "client-id",
    clientSecret: "client:secret&more",
    redirectUri: "https://partner.example/gc/callback",
    environment: "sandbox",
    baseUrl: connectUrl,
    apiBaseUrl: apiUrl,
  });
  const oauth = createOAuthClient(provider, { store: new MemoryTokenStore(), timeoutMs: 5000 });
  await oauth.exchange("the-code", { account: "merchant-42" });
  return oauth;
}

describe("the connect/api host split and what goes on the wire", () => {
  it("token and revoke go to the connect host as forms; the creditor lookup to the api host", async () => {
    const oauth = await connected();
    await expect(oauth.introspect("merchant-42")).resolves.toMatchObject({
      active: true,
      organisationId: "OR123",
    });
    await oauth.revoke("merchant-42");

    expect(seen.map((s) => `${s.host} ${s.method} ${s.path}`)).toEqual([
      "connect POST /oauth/access_token",
      "api GET /creditors?limit=1",
      "connect POST /oauth/revoke",
    ]);
    const [exchange, creditors, revoke] = seen;
    expect(exchange?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(exchange?.body))).toEqual({
      grant_type: "authorization_code",
      code: "the-code",
      redirect_uri: "https://partner.example/gc/callback",
      client_id: "client-id",
      client_secret: "client:secret&more",
    });
    expect(creditors?.headers.authorization).toBe(`Bearer ${TOKEN.access_token}`);
    expect(creditors?.headers["gocardless-version"]).toBe("2015-07-06");
    expect(revoke?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(revoke?.body))).toEqual({
      token: TOKEN.access_token,
      client_id: "client-id",
      client_secret: "client:secret&more",
    });
  });

  it('reads the bare-string error some API endpoints answer (`{"error":"bank_authorisation_expired"}`)', async () => {
    const oauth = await connected();
    creditorsAnswer = { status: 400, body: JSON.stringify({ error: "bank_authorisation_expired" }) };
    await expect(oauth.introspect("merchant-42")).rejects.toMatchObject({
      status: 400,
      providerCode: "bank_authorisation_expired",
      operation: "introspect",
    });
  });

  it.each([undefined, "staging", "__proto__"])(
    "refuses environment %s: credentials are per environment",
    (environment) => {
      expect(() =>
        gocardless({
          clientId: "c",
          clientSecret: "s",
          redirectUri: "https://partner.example/cb",
          environment: environment as "sandbox",
        }),
      ).toThrow(/environment must be "live" or "sandbox"/);
    },
  );
});
