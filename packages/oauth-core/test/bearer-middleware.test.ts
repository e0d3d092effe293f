import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { bearerAuth } from "../src/index.js";
import { lifecycle } from "./helpers.js";

// A tiny typed API on the scripted server: POST /api/echo answers 200 for live tokens, 401 otherwise.
interface EchoPaths {
  "/api/echo": {
    post: {
      requestBody: { content: { "application/json": { message: string } } };
      responses: { 200: { content: { "application/json": { ok: boolean; body: string } } } };
    };
  };
}

async function setup() {
  const life = await lifecycle({ delayMs: 20 });
  const grant = await life.seedExpired();
  const api = createClient<EchoPaths>({ baseUrl: life.server.url });
  api.use(bearerAuth(life.oauth, { account: "acct-1" }));
  return { ...life, grant, api };
}

describe("bearerAuth middleware", () => {
  it("adds a fresh bearer token (refreshing the expired one first)", async () => {
    const { api, server, grant } = await setup();
    const { data, response } = await api.POST("/api/echo", { body: { message: "hi" } });
    expect(response.status).toBe(200);
    expect(data?.body).toBe('{"message":"hi"}');
    const sent = server.requests.find((r) => r.path === "/api/echo")?.authorization;
    expect(sent).toMatch(/^Bearer at-/);
    expect(sent).not.toBe(`Bearer ${grant.accessToken}`);
  });

  it("on a 401 refreshes once and replays the request once, body included", async () => {
    const { api, server, oauth } = await setup();
    const current = await oauth.getToken("acct-1");
    server.killAccessToken(current.accessToken); // the provider revoked it early
    const { data, response } = await api.POST("/api/echo", { body: { message: "replayed" } });
    expect(response.status).toBe(200);
    expect(data?.body).toBe('{"message":"replayed"}');
    const echoes = server.requests.filter((r) => r.path === "/api/echo");
    expect(echoes).toHaveLength(2);
    expect(echoes[1]?.body).toBe('{"message":"replayed"}');
    expect(server.tokenRequests).toBe(2);
  });

  it("20 concurrent requests that all hit a 401 share one refresh", async () => {
    const { api, server, oauth } = await setup();
    const current = await oauth.getToken("acct-1");
    server.killAccessToken(current.accessToken);
    const before = server.tokenRequests;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.POST("/api/echo", { body: { message: `m${i}` } })),
    );
    expect(results.every((r) => r.response.status === 200)).toBe(true);
    expect(server.tokenRequests - before).toBe(1);
  });

  it("does not loop: a second 401 after the replay is returned as is", async () => {
    const { server, oauth } = await setup();
    // Every request reaches the API with a dead token, so the replay gets a 401 too.
    const deadToken = (request: Request) => {
      const headers = new Headers(request.headers);
      headers.set("Authorization", "Bearer dead");
      return fetch(new Request(request, { headers }));
    };
    const api = createClient<EchoPaths>({ baseUrl: server.url, fetch: deadToken });
    api.use(bearerAuth(oauth, { account: "acct-1", fetch: deadToken }));
    const { response } = await api.POST("/api/echo", { body: { message: "x" } });
    expect(response.status).toBe(401);
    expect(server.requests.filter((r) => r.path === "/api/echo")).toHaveLength(2);
  });
});
