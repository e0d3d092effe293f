import { createOAuthClient, MemoryTokenStore, UnsupportedOperationError } from "@partner-oauth/core";
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
  });

  it("rejects refresh and client credentials at compile time, and at run time if types are bypassed", async () => {
    // @ts-expect-error GoCardless has no refresh tokens
    await expect(oauth.refresh("merchant-42")).rejects.toBeInstanceOf(UnsupportedOperationError);
    // @ts-expect-error GoCardless has no client-credentials grant
    await expect(oauth.clientCredentials({ tokenType: "default", scopes: [] })).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
  });

  it("types authorize options: exactly one known scope", () => {
    expectTypeOf(oauth.authorize)
      .parameter(0)
      .toHaveProperty("scopes")
      .toEqualTypeOf<readonly ["read_write" | "read_only"]>();
  });
});
