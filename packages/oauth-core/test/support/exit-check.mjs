// Runs a refresh with the default 10 s timeout, starts a sweeper and returns; the process must exit at once, proving
// no pending timer (deadline, skew or retry) keeps it alive.
import { createServer } from "node:http";
import { createOAuthClient, MemoryTokenStore, refreshing, startSweeper, storeKey } from "../../dist/index.js";

const server = createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ access_token: "new", token_type: "Bearer", expires_in: 3600 }));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address();
const store = new MemoryTokenStore();
await store.set(storeKey({ provider: "x", tokenType: "default", account: "a" }), {
  accessToken: "old",
  tokenType: "Bearer",
  refreshToken: "r",
  expiresAt: 0,
  scopes: [],
  raw: {},
});
const oauth = createOAuthClient(
  {
    id: "x",
    codeFlowTokenType: "default",
    pkce: "none",
    authorizationUrl: () => new URL("http://127.0.0.1"),
    exchangeCode: () => Promise.reject(new Error("unused")),
    refreshing,
    refreshToken: async (_token, ctx) => {
      const response = await fetch(`http://127.0.0.1:${port}/token`, { method: "POST", signal: ctx.signal });
      const body = await response.json();
      return {
        accessToken: body.access_token,
        tokenType: "Bearer",
        scopes: [],
        raw: body,
        expiresAt: Date.now() + 3_600_000,
      };
    },
  },
  { store },
);
await oauth.refresh("a");
// A sweeper left running must not keep the process alive either.
startSweeper([oauth], { everyMs: 60_000 });
server.close();
server.closeAllConnections();
console.log("refreshed");
