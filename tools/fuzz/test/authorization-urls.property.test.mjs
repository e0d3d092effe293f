// Every provider's authorization-URL builder on random but valid inputs: the URL always parses,
// stays on the provider's host and under its base path, and carries state, PKCE challenge and client data back exactly —
// whatever characters they contain — and never the text "undefined" or "null".
import { BRAINTREE_SCOPES, braintree } from "@partner-oauth/braintree";
import { gocardless } from "@partner-oauth/gocardless";
import { OPENCOLLECTIVE_SCOPES, opencollective } from "@partner-oauth/opencollective";
import { square } from "@partner-oauth/square";
import { dataScopes, truelayer } from "@partner-oauth/truelayer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// A base URL with a path (a proxy in front of the provider): the authorization URL must keep it,
// as openapi-fetch keeps it for the token calls.
const baseUrl = "https://mock.partner.example/proxy";
const anyText = fc.string({ unit: "binary", minLength: 1, maxLength: 40 });
const state = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const challenge = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const clientId = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
const redirectUri = fc.webUrl({ withQueryParameters: true, withFragments: false });
const subset = (values) => fc.subarray([...values], { minLength: 1 });

const cases = {
  gocardless: {
    make: (id, redirect) =>
      gocardless({ clientId: id, clientSecret: "s", redirectUri: redirect, environment: "sandbox", baseUrl }),
    options: fc.record({
      scopes: fc.constantFrom(["read_write"], ["read_only"]),
      initialView: fc.constantFrom("signup", "login", undefined),
      prefill: fc.record(
        { email: anyText, given_name: anyText, organisation_name: anyText },
        { requiredKeys: [] },
      ),
      language: fc.constantFrom("en", "fr", undefined),
    }),
    echoed: (options) => Object.entries(options.prefill).map(([k, v]) => [`prefill[${k}]`, v]),
  },
  truelayer: {
    make: (id, redirect) =>
      truelayer({ clientId: id, clientSecret: "s", redirectUri: redirect, environment: "sandbox", baseUrl }),
    options: fc.record({ scopes: subset(dataScopes), nonce: fc.option(anyText, { nil: undefined }) }),
    echoed: (options) => (options.nonce === undefined ? [] : [["nonce", options.nonce]]),
  },
  square: {
    make: (id, redirect) =>
      square({ clientId: id, clientSecret: "s", redirectUri: redirect, environment: "sandbox", baseUrl }),
    options: fc.record({
      scopes: fc.array(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,30}$/), { minLength: 1, maxLength: 5 }),
    }),
    echoed: () => [],
  },
  braintree: {
    make: (id, redirect) =>
      braintree({
        clientId: `client_id$sandbox$${id}`,
        clientSecret: "client_secret$sandbox$s",
        redirectUri: redirect,
        environment: "sandbox",
        baseUrl,
      }),
    options: fc.record({
      scopes: subset(BRAINTREE_SCOPES),
      user: fc.record({ email: anyText }, { requiredKeys: [] }),
    }),
    echoed: (options) => Object.entries(options.user).map(([k, v]) => [`user[${k}]`, v]),
  },
  opencollective: {
    make: (id, redirect) =>
      opencollective({
        clientId: id,
        clientSecret: "s",
        redirectUri: redirect,
        environment: "staging",
        baseUrl,
      }),
    options: fc.record({ scopes: fc.subarray([...OPENCOLLECTIVE_SCOPES]) }),
    echoed: () => [],
  },
};

describe.each(Object.keys(cases))("%s authorization URL", (name) => {
  const { make, options, echoed } = cases[name];
  it("round-trips state, challenge, client data and options exactly", () => {
    fc.assert(
      fc.property(clientId, redirectUri, state, challenge, options, (id, redirect, s, c, opts) => {
        const provider = make(id, redirect);
        const url = provider.authorizationUrl({ state: s, codeChallenge: c, options: opts });
        const reparsed = new URL(url.toString());
        expect(reparsed.origin).toBe(new URL(baseUrl).origin);
        expect(reparsed.pathname.startsWith("/proxy/")).toBe(true);
        const query = reparsed.searchParams;
        expect(query.get("state")).toBe(s);
        expect([id, `client_id$sandbox$${id}`]).toContain(query.get("client_id"));
        if (query.has("redirect_uri")) expect(query.get("redirect_uri")).toBe(redirect);
        if (provider.pkce === "S256") expect(query.get("code_challenge")).toBe(c);
        for (const [key, value] of echoed(opts)) {
          if (value.trim() !== "") expect(query.get(key)).toBe(value);
        }
        for (const [key, value] of query) {
          expect(value === "undefined" || value === "null", `${key}=${value}`).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});
