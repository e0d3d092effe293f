import { createOAuthClient, MemoryTokenStore } from "@partner-oauth/core";
import { describe, expect, it } from "vitest";
import {
  checkMetadata,
  DiscoveryError,
  discoverMetadata,
  MetadataCache,
  oauth2,
  wellKnownUrl,
} from "../src/index.js";

// Metadata checks, well-known URLs, the cache and the factory's options, without a server.

const good = {
  issuer: "https://auth.partner.example/tenant",
  authorization_endpoint: "https://auth.partner.example/tenant/authorize",
  token_endpoint: "https://auth.partner.example/tenant/token",
};

const reasonOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DiscoveryError);
    return (error as DiscoveryError).reason;
  }
  return "accepted";
};

describe("checkMetadata", () => {
  it("accepts a minimal document and keeps unknown fields", () => {
    expect(checkMetadata({ ...good, x_vendor: 1 }, "p", good.issuer).x_vendor).toBe(1);
  });

  it.each([
    ["not an object", []],
    ["no issuer", { ...good, issuer: undefined }],
    ["an http issuer off loopback", { ...good, issuer: "http://auth.partner.example" }],
    ["an issuer with a query", { ...good, issuer: "https://auth.partner.example?x=1" }],
    ["an issuer with a fragment", { ...good, issuer: "https://auth.partner.example#x" }],
    ["no token endpoint", { ...good, token_endpoint: undefined }],
    ["a relative endpoint", { ...good, token_endpoint: "/token" }],
    ["credentials in an endpoint", { ...good, token_endpoint: "https://u:p@auth.partner.example/token" }],
    [
      "a revocation endpoint over http",
      { ...good, revocation_endpoint: "http://auth.partner.example/revoke" },
    ],
    ["a list that is a string", { ...good, grant_types_supported: "authorization_code" }],
    ["iss support that is a string", { ...good, authorization_response_iss_parameter_supported: "true" }],
  ])("refuses %s as invalid_metadata", (_label, document) => {
    expect(reasonOf(() => checkMetadata(document, "p"))).toBe("invalid_metadata");
  });

  it("refuses another issuer, byte for byte", () => {
    for (const asked of [
      `${good.issuer}/`,
      "https://AUTH.partner.example/tenant",
      "https://auth.partner.example",
    ]) {
      expect(reasonOf(() => checkMetadata(good, "p", asked))).toBe("issuer_mismatch");
    }
  });

  it("accepts http on loopback hosts only (local servers, tests)", () => {
    for (const host of ["127.0.0.1:8080", "localhost", "[::1]:9"]) {
      const base = `http://${host}`;
      const doc = { issuer: base, authorization_endpoint: `${base}/a`, token_endpoint: `${base}/t` };
      expect(checkMetadata(doc, "p").issuer).toBe(base);
    }
  });
});

describe("wellKnownUrl", () => {
  it("RFC 8414 inserts the segment before the issuer's path; OpenID appends it", () => {
    expect(wellKnownUrl("https://h.partner.example/tenant/1", "oauth-authorization-server")).toBe(
      "https://h.partner.example/.well-known/oauth-authorization-server/tenant/1",
    );
    expect(wellKnownUrl("https://h.partner.example/tenant/1", "openid-configuration")).toBe(
      "https://h.partner.example/tenant/1/.well-known/openid-configuration",
    );
    expect(wellKnownUrl("https://h.partner.example", "oauth-authorization-server")).toBe(
      "https://h.partner.example/.well-known/oauth-authorization-server",
    );
  });
});

describe("discoverMetadata", () => {
  it("refuses a bad issuer before any request", async () => {
    let requests = 0;
    const counting: typeof fetch = async () => {
      requests++;
      return Response.json(good);
    };
    for (const issuer of ["http://auth.partner.example", "not a url", "https://a.partner.example/?q"]) {
      const error = await discoverMetadata(issuer, { fetch: counting, cache: false }).catch((e) => e);
      expect(error).toBeInstanceOf(DiscoveryError);
    }
    expect(requests).toBe(0);
  });

  it("times out a server that never answers with the core's TimeoutError", async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    const started = Date.now();
    const error = await discoverMetadata(good.issuer, { fetch: hanging, cache: false, timeoutMs: 50 }).catch(
      (e) => e,
    );
    expect(error.name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("does not cache failures; entries expire by the clock", async () => {
    let now = 0;
    let requests = 0;
    let fail = true;
    const flaky: typeof fetch = async () => {
      requests++;
      return fail ? new Response("{}", { status: 500 }) : Response.json(good);
    };
    const cache = new MetadataCache({ maxAgeMs: 1000, now: () => now });
    const options = { fetch: flaky, cache, document: "oauth-authorization-server" } as const;
    await expect(discoverMetadata(good.issuer, options)).rejects.toThrow(DiscoveryError);
    fail = false;
    await discoverMetadata(good.issuer, options);
    await discoverMetadata(good.issuer, options);
    expect(requests).toBe(2);
    now = 1001;
    await discoverMetadata(good.issuer, options);
    expect(requests).toBe(3);
  });
});

describe("oauth2() options", () => {
  const base = { id: "p", clientId: "c", redirectUri: "https://partner.example/cb", metadata: good };

  it("defaults: single-use refresh tokens, no PKCE unless advertised, `none` without a secret", () => {
    const p = oauth2(base);
    expect(p.refreshTokens).toBe("single-use");
    expect(p.pkce).toBe("none");
    expect(p.clientAuth).toBe("none");
    expect(oauth2({ ...base, metadata: { ...good, code_challenge_methods_supported: ["S256"] } }).pkce).toBe(
      "S256",
    );
    expect(oauth2({ ...base, pkce: "S256" }).pkce).toBe("S256");
    expect(oauth2({ ...base, clientSecret: "s" }).clientAuth).toBe("client_secret_basic");
    expect(
      oauth2({
        ...base,
        clientSecret: "s",
        metadata: { ...good, token_endpoint_auth_methods_supported: ["client_secret_post"] },
      }).clientAuth,
    ).toBe("client_secret_post");
  });

  it("takes the rotating behaviour with its grace window", () => {
    const p = oauth2({ ...base, refreshTokens: { rotating: { graceMs: 1_800_000 } } });
    expect(p.refreshTokens).toEqual({ rotating: { graceMs: 1_800_000 } });
  });

  it("refuses bad options without echoing a secret", () => {
    const secret = "do-not-echo-this-secret-0123";
    expect(() => oauth2({ ...base, clientSecret: secret, clientAuth: "private_key_jwt" as never })).toThrow(
      /clientAuth/,
    );
    expect(() => oauth2({ ...base, clientAuth: "client_secret_post" })).toThrow(/needs a clientSecret/);
    expect(() => oauth2({ ...base, refreshTokens: { rotating: { graceMs: -1 } } })).toThrow(/refreshTokens/);
    expect(() => oauth2({ ...base, id: "" })).toThrow();
    try {
      oauth2({
        ...base,
        clientSecret: secret,
        metadata: { ...good, token_endpoint: "http://x.partner.example" },
      });
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(String(error)).not.toContain(secret);
    }
  });

  it("refuses scope tokens with spaces or quotes (InvalidInputError) before building a URL", async () => {
    const oauth = createOAuthClient(oauth2(base), { store: new MemoryTokenStore() });
    await expect(oauth.authorize({ scopes: ["read write"] })).rejects.toThrow(/scope tokens/);
    await expect(oauth.authorize({ scopes: ['"x'] })).rejects.toThrow(/scope tokens/);
  });
});
