import {
  createOAuthClient,
  MemoryTokenStore,
  type RefreshCapability,
  type RevokeCapability,
} from "@partner-oauth/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type OpenCollectiveProvider, opencollective, type TokenResponse } from "../src/index.js";

// The facade offers exactly what Open Collective has: refresh, but no revoke (there is no REST revoke
// endpoint), no introspection and no client credentials. `pnpm run typecheck` enforces the
// expect-error directives below; the runtime checks cover callers who bypass the types.

function client() {
  const provider = opencollective({
    clientId: "id",
    clientSecret: "secret",
    redirectUri: "https://partner.example/oauth/opencollective/callback",
    environment: "production",
  });
  return createOAuthClient(provider, { store: new MemoryTokenStore() });
}

describe("capabilities", () => {
  it("has refresh and not revoke at the type level", () => {
    expectTypeOf<OpenCollectiveProvider>().toExtend<RefreshCapability<TokenResponse>>();
    expectTypeOf<OpenCollectiveProvider>().not.toExtend<RevokeCapability<TokenResponse>>();
    expectTypeOf(client().refresh).toBeFunction();
  });

  it("offers no revoke, introspect or clientCredentials", async () => {
    const oauth = client();
    // @ts-expect-error Open Collective has no revoke endpoint
    expect(oauth.revoke).toBeUndefined();
    // @ts-expect-error no introspection either
    expect(oauth.introspect).toBeUndefined();
    // @ts-expect-error no client-credentials grant
    expect(oauth.clientCredentials).toBeUndefined();
    for (const method of ["revoke", "introspect", "clientCredentials"]) expect(method in oauth).toBe(false);
  });

  it("checks its options", () => {
    const noEnvironment = { clientId: "id", clientSecret: "s", redirectUri: "https://x.example" };
    // @ts-expect-error environment is required: no silent default to production
    expect(() => opencollective(noEnvironment)).toThrow(TypeError);
    expect(() =>
      opencollective({
        clientId: "",
        clientSecret: "s",
        redirectUri: "https://x.example",
        environment: "staging",
      }),
    ).toThrow(/clientId/);
  });
});
