import { createOAuthClient, MemoryTokenStore, type Token } from "@partner-oauth/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  type ObtainTokenResponse,
  type SquareAuthorizeOptions,
  type SquarePermission,
  type SquareProvider,
  type SquarePublicProvider,
  type SquareTokenStatus,
  square,
  squarePermissions,
} from "../src/index.js";

// Compile-time checks (run by `pnpm run typecheck`): the facade offers exactly Square's capabilities.

const store = new MemoryTokenStore();
const withSecret = square({ clientId: "app", clientSecret: "secret", environment: "sandbox" });
const publicClient = square({ clientId: "app", environment: "sandbox" });
const oauth = createOAuthClient(withSecret, { store });
const publicOauth = createOAuthClient(publicClient, { store });

describe("types", () => {
  it("picks the adapter type from whether a client secret is configured", () => {
    expectTypeOf(withSecret).toEqualTypeOf<SquareProvider>();
    expectTypeOf(publicClient).toEqualTypeOf<SquarePublicProvider>();
    // @ts-expect-error Square retired RenewToken on 2024-04-17
    withSecret.renewToken;
  });

  it("offers refresh, revoke and introspect, never client credentials", () => {
    expectTypeOf(oauth).toHaveProperty("refresh");
    expectTypeOf(oauth).toHaveProperty("revoke");
    expectTypeOf(oauth).toHaveProperty("introspect");
    expectTypeOf(oauth.introspect).returns.toEqualTypeOf<Promise<SquareTokenStatus>>();
    expectTypeOf(oauth.getToken).returns.toEqualTypeOf<Promise<Token<ObtainTokenResponse>>>();
    // @ts-expect-error Square has no client-credentials grant
    oauth.clientCredentials;
  });

  it("applies oauth.authorization.revoked notices in both flows", () => {
    expectTypeOf(oauth).toHaveProperty("applyRevocation");
    expectTypeOf(publicOauth).toHaveProperty("applyRevocation");
  });

  it("offers no revoke without the application secret", () => {
    expectTypeOf(publicOauth).toHaveProperty("refresh");
    expectTypeOf(publicOauth).toHaveProperty("introspect");
    expectTypeOf(publicOauth).not.toHaveProperty("revoke");
    // @ts-expect-error revoke needs `Authorization: Client <secret>`
    publicOauth.revoke;
  });

  it("narrows the token status on `active`", () => {
    const status = {} as SquareTokenStatus;
    if (status.active) expectTypeOf(status.clientId).toEqualTypeOf<string>();
    else expectTypeOf(status.reason).toEqualTypeOf<"expired" | "revoked" | "invalid">();
  });

  it("types authorize options", () => {
    expectTypeOf(oauth.authorize).parameter(0).toHaveProperty("scopes");
    // @ts-expect-error locale is a union of the supported ones
    void (() => oauth.authorize({ scopes: ["PAYMENTS_READ"], locale: "xx-XX" }));
  });

  it("types scopes as Square's documented permissions", () => {
    expectTypeOf<SquareAuthorizeOptions["scopes"]>().toEqualTypeOf<readonly SquarePermission[]>();
    expectTypeOf<"MERCHANT_PROFILE_READ">().toMatchTypeOf<SquarePermission>();
    expectTypeOf<"PAYMENTS_WRITE_ADDITIONAL_RECIPIENTS">().toMatchTypeOf<SquarePermission>();
    expectTypeOf<string>().not.toMatchTypeOf<SquarePermission>();
    expectTypeOf(squarePermissions).toEqualTypeOf<ReadonlyArray<SquarePermission>>();
    // @ts-expect-error a typo does not compile
    void (() => oauth.authorize({ scopes: ["PAYMENT_WRITE"] }));
    // @ts-expect-error neither does a lower-case name
    void (() => publicOauth.authorize({ scopes: ["merchant_profile_read"] }));
  });
});
