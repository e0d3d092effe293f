import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OAuthError, REDACTED, redact, toToken, toTokenData } from "../src/index.js";
import { lifecycle, slot } from "./helpers.js";

// Secrets look like real ones: long runs of token characters.
const secret = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{12,64}$/);

function everyRendering(error: unknown): string {
  const e = error as Error & { cause?: unknown };
  return [
    String(e),
    e.message,
    e.stack,
    JSON.stringify(e),
    inspect(e, { depth: 10 }),
    inspect(e.cause, { depth: 10 }),
  ].join("\n");
}

describe("redaction", () => {
  it("errors never reveal the refresh token, client secret or tokens a provider echoes back", async () => {
    await fc.assert(
      fc.asyncProperty(
        secret,
        secret,
        fc.constantFrom(400, 401, 500),
        async (refreshToken, accessToken, status) => {
          const { oauth, store, server } = await lifecycle();
          await store.set(slot("a"), {
            accessToken,
            tokenType: "Bearer",
            refreshToken,
            expiresAt: 0,
            scopes: [],
            raw: {},
          });
          // A careless provider quotes the secrets in its error description.
          server.faults.push({
            kind: "status",
            status,
            body: JSON.stringify({
              error: "invalid_request",
              error_description: `bad ${refreshToken} for ${accessToken} and test-client-secret`,
            }),
          });
          const error = await oauth.getToken("a").catch((e: unknown) => e);
          expect(error).toBeInstanceOf(OAuthError);
          const text = everyRendering(error);
          expect(text).not.toContain(refreshToken);
          expect(text).not.toContain(accessToken);
          expect(text).not.toContain("test-client-secret");
          await server.stop();
        },
      ),
      { numRuns: 25 },
    );
  });

  it("a truncated JSON body quoted by the parser's message does not leak through the cause", async () => {
    const { oauth, seedExpired, server } = await lifecycle();
    await seedExpired();
    server.faults.push({ kind: "truncated" });
    const error = await oauth.getToken("acct-1").catch((e: unknown) => e);
    const text = everyRendering(error);
    expect(text).not.toContain("at-trunc");
    expect(text).toContain("SyntaxError");
  });

  it("token inspection (with or without the custom hook), toString and JSON hide every secret", () => {
    fc.assert(
      fc.property(secret, secret, (accessToken, refreshToken) => {
        const token = toToken({
          accessToken,
          refreshToken,
          tokenType: "Bearer",
          scopes: ["a"],
          raw: { access_token: accessToken },
        });
        for (const text of [
          inspect(token),
          String(token),
          `${token}`,
          inspect({ nested: token }, { depth: 5 }),
        ]) {
          expect(text).not.toContain(accessToken);
          expect(text).not.toContain(refreshToken);
          expect(text).toContain(REDACTED);
        }
        // Inspection without the custom hook (console.dir), JSON loggers and spreads see no secret either.
        for (const text of [
          inspect(token, { customInspect: false, depth: 5 }),
          inspect({ token }, { customInspect: false, depth: 5 }),
          JSON.stringify(token),
          JSON.stringify({ msg: "connected", token }),
        ]) {
          expect(text).not.toContain(accessToken);
          expect(text).not.toContain(refreshToken);
        }
        // The secrets are still there for the caller (reads, destructuring, spreads), and toTokenData
        // is the full record for a store.
        expect(token.accessToken).toBe(accessToken);
        const { refreshToken: read } = token;
        expect(read).toBe(refreshToken);
        expect({ ...token }.accessToken).toBe(accessToken);
        expect(toTokenData(token)).toEqual({
          accessToken,
          refreshToken,
          tokenType: "Bearer",
          scopes: ["a"],
          raw: { access_token: accessToken },
        });
      }),
    );
  });

  it("a secret echoed URL-encoded or form-encoded is removed whole, not in pieces", () => {
    // `%` used to end a token-like run, so the 18 characters after an escape survived.
    const secret = "rt_Zx81+qwerty/987654321ZYX=abc";
    for (const echoed of [encodeURIComponent(secret), new URLSearchParams({ t: secret }).toString()]) {
      const text = redact(`refresh_token=${echoed} was rejected`, [secret]);
      expect(text).not.toMatch(/qwerty|987654321|ZYX/);
      expect(text).toContain(REDACTED);
      // Without the secret list too: the encoded run is token-like as a whole.
      expect(redact(`echo ${echoed}`)).not.toMatch(/qwerty|987654321|ZYX/);
    }
  });

  it("provider codes that are plain words survive redaction", () => {
    const error = new OAuthError("x", { operation: "refresh", providerCode: "insufficient_permissions" });
    expect(error.providerCode).toBe("insufficient_permissions");
  });
});
