import { createOAuthClient, MemoryTokenStore, type Token } from "@partner-oauth/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type DataScope,
  dataScopes,
  type PaymentsScope,
  paymentsScopes,
  type TokenResponse,
  type TrueLayerTokenInfo,
  truelayer,
} from "../src/index.js";

// TrueLayer has every capability, so the facade must offer every method, typed from the adapter.

const provider = truelayer({
  clientId: "sandbox-app",
  clientSecret: "secret",
  redirectUri: "https://partner.example/truelayer/callback",
  environment: "sandbox",
});
const oauth = createOAuthClient(provider, { store: new MemoryTokenStore() });

describe("facade types", () => {
  it("offers refresh, revoke, introspect and client credentials", () => {
    expectTypeOf(oauth).toHaveProperty("refresh");
    expectTypeOf(oauth).toHaveProperty("revoke");
    expectTypeOf(oauth).toHaveProperty("introspect");
    expectTypeOf(oauth).toHaveProperty("clientCredentials");
    expectTypeOf(oauth.introspect).returns.resolves.toEqualTypeOf<TrueLayerTokenInfo>();
    expectTypeOf(oauth.getToken).returns.resolves.toEqualTypeOf<Token<TokenResponse>>();
  });

  it("has no applyRevocation: TrueLayer documents no revocation notice for partner apps", () => {
    expectTypeOf(oauth).not.toHaveProperty("applyRevocation");
    expect("applyRevocation" in oauth).toBe(false);
  });

  it("types token types, scopes and authorize options", () => {
    expectTypeOf(oauth.getToken)
      .parameter(1)
      .exclude<undefined>()
      .toHaveProperty("tokenType")
      .toEqualTypeOf<"payments" | "data" | undefined>();
    expectTypeOf(oauth.clientCredentials)
      .parameter(0)
      .toHaveProperty("tokenType")
      .toEqualTypeOf<"payments">();
    expectTypeOf(oauth.clientCredentials)
      .parameter(0)
      .toHaveProperty("scopes")
      .toEqualTypeOf<readonly PaymentsScope[]>();
    expectTypeOf(oauth.authorize).parameter(0).toHaveProperty("scopes").toEqualTypeOf<readonly DataScope[]>();
    expectTypeOf(dataScopes).toEqualTypeOf<readonly DataScope[]>();
    expectTypeOf(paymentsScopes).toEqualTypeOf<readonly PaymentsScope[]>();
  });
});

describe("scope constants", () => {
  it("hold the spec's DataScope and PaymentsScope values", () => {
    expect(dataScopes).toEqual([
      "info",
      "accounts",
      "balance",
      "cards",
      "transactions",
      "direct_debits",
      "standing_orders",
      "offline_access",
    ]);
    expect(paymentsScopes).toEqual([
      "payments",
      "recurring_payments:sweeping",
      "recurring_payments:commercial",
      "payouts",
      "paydirect",
      "tracking",
      "signupplus",
    ]);
  });
});
