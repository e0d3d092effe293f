import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AuthorizationDeniedError,
  basicAuthorization,
  codeChallengeS256,
  constantTimeEqual,
  createPkcePair,
  createState,
  endpointUrl,
  formBody,
  InvalidCallbackError,
  InvalidInputError,
  OAuthError,
  StateMismatchError,
  storeKey,
  verifyCallback,
} from "../src/index.js";

describe("PKCE (RFC 7636)", () => {
  it("matches the RFC 7636 Appendix B S256 test vector", async () => {
    expect(await codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("creates verifiers of 43 unreserved characters and 43-character base64url challenges", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constant(null), async () => {
        const pair = await createPkcePair();
        expect(pair.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
        expect(pair.codeChallenge).toMatch(/^[A-Za-z0-9\-_]{43}$/);
        expect(pair.codeChallenge).toBe(await codeChallengeS256(pair.codeVerifier));
      }),
      { numRuns: 50 },
    );
  });

  it("rejects verifiers outside the RFC's alphabet or length", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (verifier) => {
        const valid = /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier);
        const result = await codeChallengeS256(verifier).then(
          () => "ok",
          (e: unknown) => (e instanceof RangeError ? "range" : "other"),
        );
        expect(result).toBe(valid ? "ok" : "range");
      }),
    );
  });
});

describe("state", () => {
  it("is 43 base64url characters and unique", () => {
    const states = new Set(Array.from({ length: 1000 }, () => createState()));
    expect(states.size).toBe(1000);
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9\-_]{43}$/);
  });

  it("carries a suffix after a dot only when it needs no escaping", () => {
    expect(createState("A_READ.B_WRITE")).toMatch(/^[A-Za-z0-9\-_]{43}\.A_READ\.B_WRITE$/);
    for (const bad of ["", "a b", "a&b", "é", "x".repeat(1025), undefined]) {
      expect(createState(bad)).toMatch(/^[A-Za-z0-9\-_]{43}$/);
    }
  });

  it("constantTimeEqual agrees with === on any strings", () => {
    const anyUnits = fc.string({ unit: "binary" });
    fc.assert(fc.property(anyUnits, anyUnits, (a, b) => constantTimeEqual(a, b) === (a === b)));
    expect(constantTimeEqual("\uD800", "\uD801")).toBe(false);
    fc.assert(fc.property(fc.string(), (a) => constantTimeEqual(a, a)));
  });
});

describe("callback verification", () => {
  const state = "expected-state-value";

  it("returns the code and all parameters for a valid callback", () => {
    const result = verifyCallback("p", `https://app.example/cb?code=abc&state=${state}&merchantId=m1`, state);
    expect(result.code).toBe("abc");
    expect(result.params.get("merchantId")).toBe("m1");
  });

  it("checks state before error, then error, then code", () => {
    expect(() => verifyCallback("p", "https://a.example/cb?error=access_denied&state=forged", state)).toThrow(
      StateMismatchError,
    );
    expect(() => verifyCallback("p", "https://a.example/cb?code=abc", state)).toThrow(StateMismatchError);
    expect(() =>
      verifyCallback(
        "p",
        `https://a.example/cb?error=access_denied&error_description=No&state=${state}`,
        state,
      ),
    ).toThrow(AuthorizationDeniedError);
    expect(() => verifyCallback("p", `https://a.example/cb?state=${state}`, state)).toThrow(
      InvalidCallbackError,
    );
    expect(() => verifyCallback("p", "https://a.example/cb?code=abc&state=x", "")).toThrow(InvalidInputError);
  });

  it("never crashes on arbitrary input: a typed error or a verified callback", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true }), fc.anything()), (input) => {
        try {
          const result = verifyCallback("p", input as string, state);
          expect(result.code.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(OAuthError);
        }
      }),
    );
  });

  it("accepts a form_post body as URLSearchParams", () => {
    const params = new URLSearchParams({ code: "c", state });
    expect(verifyCallback("p", params, state).code).toBe("c");
  });
});

describe("endpoint URLs", () => {
  it("keep the base URL's own path, like openapi-fetch's API calls", () => {
    expect(endpointUrl("https://proxy.example/gocardless", "/oauth/authorize").href).toBe(
      "https://proxy.example/gocardless/oauth/authorize",
    );
    expect(endpointUrl("https://proxy.example/gocardless/", "/oauth/authorize").href).toBe(
      "https://proxy.example/gocardless/oauth/authorize",
    );
    expect(endpointUrl("https://connect.gocardless.com", "/oauth/authorize").href).toBe(
      "https://connect.gocardless.com/oauth/authorize",
    );
  });
});

describe("form serializer", () => {
  it("omits undefined and null, repeats arrays, and round-trips every value", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
        (body) => {
          const parsed = new URLSearchParams(formBody({ ...body, skipped: undefined, nothing: null }));
          for (const [key, value] of Object.entries(body)) expect(parsed.get(key)).toBe(String(value));
          if (!("skipped" in body)) expect(parsed.has("skipped")).toBe(false);
        },
      ),
    );
    expect(formBody({ scope: ["a", "b"], x: undefined })).toBe("scope=a&scope=b");
  });
});

describe("HTTP Basic (RFC 6749 §2.3.1)", () => {
  it("form-urlencodes id and secret before base64", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (id, secret) => {
        const header = basicAuthorization(id, secret);
        expect(header).toMatch(/^Basic [A-Za-z0-9+/]*={0,2}$/);
        const decoded = new TextDecoder().decode(
          Uint8Array.from(atob(header.slice(6)), (c) => c.charCodeAt(0)),
        );
        const [encodedId, ...rest] = decoded.split(":");
        expect(rest).toHaveLength(1);
        const unform = (v: string) => new URLSearchParams(`v=${v}`).get("v");
        expect(unform(encodedId ?? "")).toBe(id);
        expect(unform(rest[0] ?? "")).toBe(secret);
      }),
    );
  });
});

describe("HTTP Basic without form encoding (providers whose SDKs send raw values)", () => {
  it("base64-encodes the raw UTF-8 pair", () => {
    expect(basicAuthorization("client_id$sandbox$x", "sécret", { formEncode: false })).toBe(
      `Basic ${Buffer.from("client_id$sandbox$x:sécret").toString("base64")}`,
    );
  });
});

describe("store keys", () => {
  it("never collide for distinct (provider, token type, account) triples", () => {
    const part = fc.string({ minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(
        part,
        part,
        fc.option(part, { nil: undefined }),
        part,
        part,
        fc.option(part, { nil: undefined }),
        (p1, t1, a1, p2, t2, a2) => {
          const same = p1 === p2 && t1 === t2 && a1 === a2;
          const k1 = storeKey({ provider: p1, tokenType: t1, account: a1 });
          const k2 = storeKey({ provider: p2, tokenType: t2, account: a2 });
          expect(k1 === k2).toBe(same);
        },
      ),
    );
  });
});
