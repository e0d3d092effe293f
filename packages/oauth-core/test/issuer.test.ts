import { describe, expect, it } from "vitest";
import {
  AuthorizationDeniedError,
  createOAuthClient,
  InvalidCallbackError,
  MemoryTokenStore,
  type ProviderAdapter,
  StateMismatchError,
  verifyCallback,
} from "../src/index.js";

// RFC 9207: the callback's `iss` names the server that answered; where we know the issuer, a callback
// from another one (a mix-up attack) is refused before its code reaches any token endpoint.

const ISSUER = "https://as.partner.example/tenant";
const cb = (query: string) => `https://app.partner.example/cb?${query}`;
const iss = encodeURIComponent(ISSUER);

describe("verifyCallback: the iss parameter (RFC 9207)", () => {
  it("accepts a matching iss, and a missing one unless the server promised it", () => {
    expect(verifyCallback("p", cb(`code=c&state=s&iss=${iss}`), "s", { issuer: ISSUER }).code).toBe("c");
    expect(verifyCallback("p", cb("code=c&state=s"), "s", { issuer: ISSUER }).code).toBe("c");
    expect(
      verifyCallback("p", cb(`code=c&state=s&iss=${iss}`), "s", { issuer: ISSUER, required: true }).code,
    ).toBe("c");
  });

  it("refuses another issuer, byte for byte (no normalization), without quoting it", () => {
    for (const other of [
      "https://evil.partner.example",
      `${ISSUER}/`,
      "https://AS.partner.example/tenant",
      "",
    ]) {
      const error = (() => {
        try {
          verifyCallback("p", cb(`code=c&state=s&iss=${encodeURIComponent(other)}`), "s", { issuer: ISSUER });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InvalidCallbackError);
      expect((error as Error).message).toMatch(/iss does not match/);
      if (other) expect(JSON.stringify(error)).not.toContain(other);
    }
  });

  it("refuses a missing iss where the server advertises authorization_response_iss_parameter_supported", () => {
    expect(() => verifyCallback("p", cb("code=c&state=s"), "s", { issuer: ISSUER, required: true })).toThrow(
      /carries no iss/,
    );
    expect(() => verifyCallback("p", cb("code=c&state=s"), "s", { required: true })).toThrow(
      InvalidCallbackError,
    );
  });

  it("checks the state first, and the issuer before an error answer", () => {
    expect(() =>
      verifyCallback("p", cb("code=c&state=x&iss=https%3A%2F%2Fevil"), "s", { issuer: ISSUER }),
    ).toThrow(StateMismatchError);
    expect(() =>
      verifyCallback("p", cb("error=access_denied&state=s&iss=https%3A%2F%2Fevil"), "s", { issuer: ISSUER }),
    ).toThrow(InvalidCallbackError);
    expect(() =>
      verifyCallback("p", cb(`error=access_denied&state=s&iss=${iss}`), "s", { issuer: ISSUER }),
    ).toThrow(AuthorizationDeniedError);
  });

  it("ignores iss where no issuer is known (the five built-in providers)", () => {
    expect(verifyCallback("p", cb("code=c&state=s&iss=https%3A%2F%2Fanything"), "s").code).toBe("c");
  });
});

describe("handleCallback: the adapter's issuer", () => {
  function setup(adapter: { issuer?: string; authorizationResponseIssParameterSupported?: boolean }) {
    const exchanged: string[] = [];
    const provider: ProviderAdapter<undefined, "default", Record<string, never>> = {
      id: "issuer-test",
      codeFlowTokenType: "default",
      pkce: "none",
      refreshTokens: "none",
      ...adapter,
      authorizationUrl: ({ state }) => new URL(`https://as.partner.example/authorize?state=${state}`),
      async exchangeCode({ code }) {
        exchanged.push(code);
        return { accessToken: `at-${code}`, tokenType: "Bearer", scopes: [], raw: {} };
      },
    };
    const oauth = createOAuthClient(provider, { store: new MemoryTokenStore(), timeoutMs: 5000 });
    return { oauth, exchanged };
  }

  it("refuses a wrong or missing iss before any code exchange", async () => {
    const { oauth, exchanged } = setup({ issuer: ISSUER, authorizationResponseIssParameterSupported: true });
    const { state } = await oauth.authorize(undefined);
    const options = { expectedState: state, account: "m-1" };
    await expect(
      oauth.handleCallback(cb(`code=c1&state=${state}&iss=https%3A%2F%2Fevil`), options),
    ).rejects.toThrow(InvalidCallbackError);
    await expect(oauth.handleCallback(cb(`code=c2&state=${state}`), options)).rejects.toThrow(
      InvalidCallbackError,
    );
    expect(exchanged).toEqual([]);
    await oauth.handleCallback(cb(`code=c3&state=${state}&iss=${iss}`), options);
    expect(exchanged).toEqual(["c3"]);
  });

  it("takes a callback without iss from a server that does not advertise it", async () => {
    const { oauth, exchanged } = setup({ issuer: ISSUER });
    const { state } = await oauth.authorize(undefined);
    await oauth.handleCallback(cb(`code=c1&state=${state}`), { expectedState: state, account: "m-1" });
    expect(exchanged).toEqual(["c1"]);
  });

  it("leaves adapters without an issuer as they were", async () => {
    const { oauth, exchanged } = setup({});
    const { state } = await oauth.authorize(undefined);
    await oauth.handleCallback(cb(`code=c1&state=${state}&iss=https%3A%2F%2Fany`), {
      expectedState: state,
      account: "m-1",
    });
    expect(exchanged).toEqual(["c1"]);
  });
});
