import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type GoCardlessTokenInfo, gocardless } from "../src/index.js";

// GoCardless tokens never expire and there is no refresh token, no client-credentials grant: the
// facade's type must not offer those, so calling them is a compile error (checked by `pnpm typecheck`).
describe("GoCardless capabilities are types", () => {
  const oauth = createOAuthClient(
    gocardless({
      clientId: "c",
      clientSecret: "s",
      redirectUri: "https://partner.example/cb",
      environment: "sandbox",
    }),
    { store: new MemoryTokenStore() },
  );

  it("offers revoke and introspect, not refresh or client credentials", () => {
    expectTypeOf(oauth).toHaveProperty("revoke");
    expectTypeOf(oauth.introspect).returns.resolves.toEqualTypeOf<GoCardlessTokenInfo>();
    expectTypeOf(oauth).not.toHaveProperty("refresh");
    expectTypeOf(oauth).not.toHaveProperty("clientCredentials");
    // GoCardless sends no revocation notice to partners: nothing to apply.
    expectTypeOf(oauth).not.toHaveProperty("applyRevocation");
  });

  it("has no refresh and no client credentials, at compile time and at run time", () => {
    // @ts-expect-error GoCardless has no refresh tokens
    expect(oauth.refresh).toBeUndefined();
    // @ts-expect-error GoCardless has no client-credentials grant
    expect(oauth.clientCredentials).toBeUndefined();
    expect("refresh" in oauth).toBe(false);
    expect("clientCredentials" in oauth).toBe(false);
    expect(Object.keys(oauth).sort()).toEqual([
      "authorize",
      "exchange",
      "forget",
      "getToken",
      "handleCallback",
      "introspect",
      "provider",
      "revoke",
    ]);
  });

  it("types authorize options: exactly one known scope", () => {
    expectTypeOf(oauth.authorize)
      .parameter(0)
      .toHaveProperty("scopes")
      .toEqualTypeOf<readonly ["read_write" | "read_only"]>();
  });
});
