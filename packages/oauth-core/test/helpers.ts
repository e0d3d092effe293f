import { afterEach } from "vitest";
import {
  createOAuthClient,
  MemoryTokenStore,
  type OAuthClientOptions,
  storeKey,
  type TokenStore,
} from "../src/index.js";
import { ScriptedOAuthServer, type ScriptedServerOptions } from "./support/scripted-server.js";
import { testProvider } from "./support/test-provider.js";

const servers: ScriptedOAuthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A manual clock starting at a fixed instant. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    set: (ms: number) => {
      now = ms;
    },
  };
}

export const slot = (account: string) => storeKey({ provider: "scripted", tokenType: "default", account });

/**
 * A scripted server, the test adapter and a facade over them, with one grant stored for `account`
 * whose access token has already expired.
 */
export async function lifecycle(
  serverOptions: ScriptedServerOptions = {},
  clientOptions: Partial<OAuthClientOptions> = {},
  store: TokenStore = new MemoryTokenStore(),
) {
  const server = await new ScriptedOAuthServer(serverOptions).start();
  servers.push(server);
  const clock = manualClock();
  const provider = testProvider({ url: server.url, now: clock.now });
  const oauth = createOAuthClient(provider, { store, now: clock.now, timeoutMs: 5000, ...clientOptions });
  async function seedExpired(account = "acct-1") {
    const grant = server.issueGrant();
    await store.set(slot(account), {
      accessToken: grant.accessToken,
      tokenType: "Bearer",
      refreshToken: grant.refreshToken,
      expiresAt: clock.now() - 1000,
      scopes: ["read"],
      subject: `subject-of-${account}`,
      raw: {},
    });
    return grant;
  }
  return { server, clock, provider, oauth, store, seedExpired };
}
