// Every provider's response handling, fed random and malformed answers through the real adapter and
// facade: the outcome is always a typed OAuthError or a well-formed token, never a crash, a hang or
// a silently wrong token. Answers come from an injected fetch, so no server is involved.
import { braintree } from "@partner-oauth/braintree";
import { createOAuthClient, MemoryTokenStore, OAuthError, storeKey } from "@partner-oauth/core";
import { gocardless } from "@partner-oauth/gocardless";
import { opencollective } from "@partner-oauth/opencollective";
import { square } from "@partner-oauth/square";
import { truelayer } from "@partner-oauth/truelayer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const redirectUri = "https://partner.example/callback";
const FIELDS = [
  "access_token",
  "token_type",
  "expires_in",
  "expires_at",
  "refresh_token",
  "refresh_token_expires_at",
  "scope",
  "merchant_id",
  "organisation_id",
  "error",
  "error_description",
  "errors",
  "message",
  "type",
];

// Plausible token bodies with each field possibly missing or of the wrong type.
const nearValidJson = fc
  .record(Object.fromEntries(FIELDS.map((f) => [f, fc.oneof(fc.string(), fc.integer(), fc.jsonValue())])), {
    requiredKeys: [],
  })
  .map((body) => JSON.stringify(body));
const randomJson = fc.jsonValue().map((v) => JSON.stringify(v));
const truncatedJson = nearValidJson.map((text) => text.slice(0, Math.max(0, text.length - 3)));
const xmlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "<credentials>",
        "</credentials>",
        "<access-token>",
        "</access-token>",
        "<refresh-token>",
      ),
      fc.constantFrom(
        '<expires-at type="datetime">',
        "</expires-at>",
        "<!DOCTYPE x>",
        "&amp;",
        "&bogus;",
        "<a b='1'>",
      ),
      fc.string(),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));
const token = fc.stringMatching(/^[A-Za-z0-9$._-]{1,40}$/);
const iso = fc
  .date({ min: new Date(0), max: new Date("2100-01-01"), noInvalidDate: true })
  .map((d) => d.toISOString());
// Bodies each provider really returns on success, with one field possibly dropped or of the wrong type.
const validJson = fc
  .record({
    access_token: token,
    token_type: fc.constantFrom("Bearer", "bearer"),
    expires_in: fc.integer({ min: 0, max: 86_400 * 365 }),
    expires_at: iso,
    refresh_token: token,
    scope: fc.constantFrom("read_write", "info accounts offline_access", "email,account"),
    merchant_id: token,
    organisation_id: fc.stringMatching(/^OR[0-9A-Z]{6}$/),
  })
  .chain((good) =>
    fc.oneof(
      fc.constant(good),
      fc.constantFrom(...Object.keys(good)).map((drop) => ({ ...good, [drop]: undefined })),
      fc.tuple(fc.constantFrom(...Object.keys(good)), fc.jsonValue()).map(([k, v]) => ({ ...good, [k]: v })),
    ),
  )
  .map((b) => JSON.stringify(b));
const validXml = fc
  .tuple(token, token, iso, fc.constantFrom("read_write", "read_only"))
  .map(
    ([access, refresh, expires, scope]) =>
      `<?xml version="1.0" encoding="UTF-8"?><credentials><access-token>access_token$sandbox$m$${access}</access-token><refresh-token>${refresh}</refresh-token><expires-at type="datetime">${expires}</expires-at><token-type>bearer</token-type><scope>${scope}</scope></credentials>`,
  );
const body = fc.oneof(
  validJson,
  validXml,
  nearValidJson,
  randomJson,
  truncatedJson,
  xmlish,
  fc.string(),
  fc.constant(""),
);
const status = fc.constantFrom(200, 200, 200, 201, 204, 400, 401, 403, 422, 429, 500, 503);
const contentType = fc.constantFrom("application/json", "application/xml", "text/html", "text/plain");

const providers = {
  gocardless: (fetch) =>
    gocardless({
      clientId: "c",
      clientSecret: "s",
      redirectUri,
      environment: "sandbox",
      baseUrl: "http://127.0.0.1:9",
      fetch,
    }),
  truelayer: (fetch) =>
    truelayer({
      clientId: "c",
      clientSecret: "s",
      redirectUri,
      environment: "sandbox",
      baseUrl: "http://127.0.0.1:9",
      fetch,
    }),
  square: (fetch) =>
    square({
      clientId: "sq0idp-c",
      clientSecret: "sq0csp-s",
      redirectUri,
      environment: "sandbox",
      baseUrl: "http://127.0.0.1:9",
      fetch,
    }),
  braintree: (fetch) =>
    braintree({
      clientId: "client_id$sandbox$c",
      clientSecret: "client_secret$sandbox$s",
      redirectUri,
      environment: "sandbox",
      baseUrl: "http://127.0.0.1:9",
      fetch,
    }),
  opencollective: (fetch) =>
    opencollective({
      clientId: "c",
      clientSecret: "s",
      redirectUri,
      environment: "staging",
      baseUrl: "http://127.0.0.1:9",
      fetch,
    }),
};

function expectWellFormed(token) {
  expect(typeof token.accessToken).toBe("string");
  expect(token.accessToken.length).toBeGreaterThan(0);
  expect(typeof token.tokenType).toBe("string");
  expect(Array.isArray(token.scopes) && token.scopes.every((s) => typeof s === "string")).toBe(true);
  if (token.expiresAt !== undefined) expect(Number.isFinite(token.expiresAt)).toBe(true);
  if (token.refreshToken !== undefined) expect(typeof token.refreshToken).toBe("string");
}

async function outcome(run) {
  try {
    const token = await run();
    expectWellFormed(token);
    return "token";
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error; // a crash: fails the property
    return error.name;
  }
}

describe.each(Object.keys(providers))("%s normalizers", (name) => {
  it("turn any answer to a code exchange or refresh into a typed error or a valid token", async () => {
    const seen = new Map();
    await fc.assert(
      fc.asyncProperty(status, contentType, body, async (code, type, text) => {
        const answer = () =>
          Promise.resolve(
            new Response(code === 204 ? null : text, { status: code, headers: { "Content-Type": type } }),
          );
        const provider = providers[name](answer);
        const store = new MemoryTokenStore();
        const oauth = createOAuthClient(provider, { store, timeoutMs: 2000 });
        const exchanged = await outcome(() =>
          oauth.exchange("the-code", {
            account: "a",
            codeVerifier: "v".repeat(43),
            callbackParams: new URLSearchParams({ merchantId: "m" }),
          }),
        );
        seen.set(exchanged, (seen.get(exchanged) ?? 0) + 1);
        if (typeof oauth.refresh === "function" && "refreshToken" in provider) {
          const key = storeKey({
            provider: provider.id,
            tokenType: provider.codeFlowTokenType,
            account: "b",
          });
          await store.set(key, {
            accessToken: "old",
            tokenType: "Bearer",
            refreshToken: "r",
            expiresAt: 0,
            scopes: [],
            raw: {},
          });
          const refreshed = await outcome(() => oauth.refresh("b"));
          seen.set(`refresh:${refreshed}`, (seen.get(`refresh:${refreshed}`) ?? 0) + 1);
          // A failed refresh leaves a grant or removes it; it never stores a malformed token.
          const stored = await store.get(key);
          if (stored && stored.accessToken !== "old") expectWellFormed(stored);
        }
      }),
      { numRuns: 300 },
    );
    // The generators must reach both outcomes, or the property proves little.
    expect([...seen.keys()].some((k) => k.endsWith("Error"))).toBe(true);
    expect(seen.get("token")).toBeGreaterThan(0);
  });
});
