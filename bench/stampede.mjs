// Refresh stampede: 1,000 concurrent callers need a valid token while the stored one has expired,
// against a token server whose refresh tokens are single-use (a reused one is 400 invalid_grant).
import { OAuth2Client as BadgatewayClient, OAuth2Fetch } from "@badgateway/oauth2-client";
import { createOAuthClient, MemoryTokenStore, storeKey } from "@partner-oauth/core";
import { truelayer } from "@partner-oauth/truelayer";
import { OAuth2Client as ArcticClient } from "arctic";
import simpleOauth2 from "simple-oauth2";
import { table } from "./lib/markdown.mjs";
import { progress, runSection } from "./lib/section.mjs";
import { num } from "./lib/stats.mjs";
import { TokenServer } from "./lib/token-server.mjs";

const CALLERS = 1_000;
const DELAY_MS = 25;
const ACCOUNT = "merchant-42";
const CLIENT_ID = "bench-client";
const CLIENT_SECRET = "bench-secret";
const REDIRECT = "https://partner.example/callback";

/** Each library: set up against a fresh server holding one grant, then return one caller's task. */
const LIBRARIES = [
  {
    id: "ours",
    name: "ours (`@partner-oauth/truelayer` + core)",
    how: "shared `createOAuthClient`; each caller `await oauth.getToken(account)`",
    async setup(server, grant) {
      const store = new MemoryTokenStore();
      const key = storeKey({ provider: "truelayer", tokenType: "data", account: ACCOUNT });
      await store.set(key, {
        accessToken: grant.accessToken,
        tokenType: "Bearer",
        refreshToken: grant.refreshToken,
        expiresAt: Date.now() - 1_000,
        scopes: ["info", "accounts", "offline_access"],
        raw: {},
      });
      const oauth = createOAuthClient(
        truelayer({
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUri: REDIRECT,
          environment: "sandbox",
          baseUrl: server.url,
        }),
        { store },
      );
      return {
        call: async () => (await oauth.getToken(ACCOUNT)).accessToken,
        // Whether the grant can still be refreshed afterwards (the rotated refresh token was stored).
        after: async () => server.liveRefreshTokens.has((await store.get(key))?.refreshToken),
      };
    },
  },
  {
    id: "arctic",
    name: "arctic 3.7.0",
    how: "each caller: expired? → `client.refreshAccessToken(tokenEndpoint, refreshToken, [])`",
    async setup(server, grant) {
      const client = new ArcticClient(CLIENT_ID, CLIENT_SECRET, REDIRECT);
      const stored = {
        accessToken: grant.accessToken,
        refreshToken: grant.refreshToken,
        expiresAt: Date.now() - 1_000,
      };
      return {
        call: async () => {
          if (stored.expiresAt > Date.now()) return stored.accessToken;
          const tokens = await client.refreshAccessToken(
            `${server.url}/connect/token`,
            stored.refreshToken,
            [],
          );
          return tokens.accessToken();
        },
      };
    },
  },
  {
    id: "simple-oauth2",
    name: "simple-oauth2 5.1.0",
    how: "each caller: `t = client.createToken(json)`; `t.expired() ? await t.refresh() : t`",
    async setup(server, grant) {
      const client = new simpleOauth2.AuthorizationCode({
        client: { id: CLIENT_ID, secret: CLIENT_SECRET },
        auth: { tokenHost: server.url, tokenPath: "/connect/token" },
      });
      const json = {
        access_token: grant.accessToken,
        refresh_token: grant.refreshToken,
        token_type: "Bearer",
        expires_at: new Date(Date.now() - 1_000).toISOString(),
      };
      return {
        call: async () => {
          let token = client.createToken(json);
          if (token.expired()) token = await token.refresh();
          return token.token.access_token;
        },
      };
    },
  },
  {
    id: "badgateway-fetch",
    name: "@badgateway/oauth2-client 3.3.1, `OAuth2Fetch`",
    how: "one shared `OAuth2Fetch` (getStoredToken → the expired token); each caller `await wrapper.getToken()`",
    async setup(server, grant) {
      const client = new BadgatewayClient({
        server: server.url,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        tokenEndpoint: "/connect/token",
        authenticationMethod: "client_secret_post",
      });
      const wrapper = new OAuth2Fetch({
        client,
        getNewToken: () => null,
        getStoredToken: () => ({
          accessToken: grant.accessToken,
          refreshToken: grant.refreshToken,
          expiresAt: Date.now() - 1_000,
        }),
        // Its default schedules a refresh timer one minute before expiry, which would keep this
        // process alive for ~59 min; it does not affect the stampede.
        scheduleRefresh: false,
      });
      return { call: async () => (await wrapper.getToken()).accessToken };
    },
  },
  {
    id: "badgateway-client",
    name: "@badgateway/oauth2-client 3.3.1, `OAuth2Client`",
    how: "each caller: expired? → `client.refreshToken(token)` (no OAuth2Fetch)",
    async setup(server, grant) {
      const client = new BadgatewayClient({
        server: server.url,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        tokenEndpoint: "/connect/token",
        authenticationMethod: "client_secret_post",
      });
      const token = {
        accessToken: grant.accessToken,
        refreshToken: grant.refreshToken,
        expiresAt: Date.now() - 1_000,
      };
      return {
        call: async () => {
          if (token.expiresAt > Date.now()) return token.accessToken;
          return (await client.refreshToken(token)).accessToken;
        },
      };
    },
  },
];

/** invalid_grant (the server's single-use refusal) vs anything else (network, parse, ...). */
function failureKind(error) {
  const payload = error?.data?.payload; // simple-oauth2 (wreck/boom) keeps the response body here
  const body = Buffer.isBuffer(payload) ? payload.toString() : JSON.stringify(payload ?? "");
  const text = `${error?.code ?? ""} ${error?.message ?? ""} ${error?.cause?.message ?? ""} ${body} ${
    error?.oauth2Code ?? ""
  } ${error?.name ?? ""}`;
  if (/invalid_grant|ReauthorizationRequired/i.test(text)) return "invalid_grant";
  if (/\b400\b|Bad Request/i.test(text)) return "HTTP 400";
  return error?.name ?? "error";
}

async function run() {
  const rows = [];
  const data = [];
  for (const library of LIBRARIES) {
    progress(`stampede: ${library.id}`);
    const server = await new TokenServer({ delayMs: DELAY_MS }).start();
    try {
      const grant = server.issueGrant();
      const { call, after } = await library.setup(server, grant);
      const start = process.hrtime.bigint();
      const settled = await Promise.allSettled(Array.from({ length: CALLERS }, () => call()));
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const ok = settled.filter((s) => s.status === "fulfilled");
      const failures = new Map();
      for (const s of settled) {
        if (s.status === "rejected") {
          const kind = failureKind(s.reason);
          failures.set(kind, (failures.get(kind) ?? 0) + 1);
        }
      }
      const distinctTokens = new Set(ok.map((s) => s.value)).size;
      const received = server.count("POST", "/connect/token", "refresh_token");
      const stillRefreshable = after ? await after() : undefined;
      data.push({
        id: library.id,
        received,
        successes: ok.length,
        failures: Object.fromEntries(failures),
        ms,
        maxInFlight: server.maxInFlight,
        distinctTokens,
        stillRefreshable,
      });
      rows.push([
        library.name,
        library.how,
        num(received),
        num(ok.length),
        num(CALLERS - ok.length),
        failures.size ? [...failures].map(([k, v]) => `${num(v)} ${k}`).join(", ") : "—",
        num(server.maxInFlight),
        num(ms, 0),
      ]);
    } finally {
      await server.stop();
    }
  }
  const ours = data.find((d) => d.id === "ours");
  return {
    id: "stampede",
    title: "Refresh stampede: 1,000 concurrent callers, one expired token",
    how: [
      `How measured: per library a fresh loopback token server (bench/lib/token-server.mjs, the core test suite's`,
      "scripted server as .mjs) that issued one grant; its refresh tokens are single-use and rotate (reuse → `400",
      `invalid_grant\`), and it answers each token request after ${DELAY_MS} ms to stand in for network latency. The`,
      `stored token expired 1 s ago. ${num(CALLERS)} callers start at once (\`Promise.allSettled\`), each getting a`,
      "token the way the library documents. *requests* = refresh requests the server received; *success* = callers",
      "that got an access token. All clients POST the same form grant to the same `/connect/token`.",
      "arctic, simple-oauth2 and a bare @badgateway `OAuth2Client` have no shared-refresh mechanism and do not claim",
      "one: an app using them would have to add its own single-flight. @badgateway's `OAuth2Fetch` does dedupe.",
    ].join(" "),
    body: [
      table(
        [
          "library",
          "how each caller gets a token",
          "requests",
          "success",
          "failed",
          "failure kinds",
          "max in flight",
          "wall ms",
        ],
        rows,
        ["l", "l", "r", "r", "r", "l", "r", "r"],
      ),
      "",
      `Ours after the stampede: ${num(ours.distinctTokens)} distinct access token(s) handed out; the rotated refresh`,
      `token is in the store and ${ours.stillRefreshable ? "still live at the server" : "NOT live at the server"}.`,
    ].join("\n"),
    targets: [
      {
        name: "Stampede: ours sends one refresh request for 1,000 callers, all succeed",
        value: `${num(ours.received)} request(s), ${num(ours.successes)} / ${num(CALLERS)} succeeded`,
        met: ours.received === 1 && ours.successes === CALLERS,
      },
    ],
    data,
  };
}

await runSection(import.meta.url, run);
