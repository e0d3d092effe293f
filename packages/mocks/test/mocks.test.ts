import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import {
  assertNoViolations,
  ContractViolationError,
  PROVIDERS,
  resolveSpec,
  startMock,
  violationGuard,
  withPrefer,
} from "../src/index.js";

describe("startMock", () => {
  it("serves a provider's spec, and stop() frees the port", async () => {
    const mock = await startMock("gocardless");
    const ok = await fetch(`${mock.url}/oauth/revoke`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "token=t&client_id=c&client_secret=s",
      signal: AbortSignal.timeout(5000),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("sl-violations")).toBeNull();
    await mock.stop();
    await mock.stop(); // idempotent
    await expect(fetch(mock.url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });

  it("resolves every shipped provider and rejects unknown names", () => {
    for (const provider of PROVIDERS)
      expect(resolveSpec(provider)).toMatch(new RegExp(`${provider}\\.yaml$`));
    expect(() => resolveSpec("nope")).toThrow(/unknown provider/);
  });

  it("fails clearly when Prism cannot start", async () => {
    await expect(
      startMock(new URL("./broken.yaml", import.meta.url).pathname, { startTimeoutMs: 15_000 }),
    ).rejects.toThrow(/Prism did not start/);
  });
});

// Just enough of specs/gocardless.yaml to call its revoke endpoint through openapi-fetch.
interface RevokePaths {
  "/oauth/revoke": {
    post: {
      requestBody: { content: { "application/x-www-form-urlencoded": Record<string, string> } };
      responses: { 200: { content: { "text/plain": string } } };
    };
  };
}

describe("violation guard", () => {
  it("passes valid calls and throws ContractViolationError on sl-violations", async () => {
    const mock = await startMock("gocardless");
    try {
      const client = createClient<RevokePaths>({ baseUrl: mock.url });
      client.use(violationGuard);
      const post = (body: Record<string, string>) =>
        client.POST("/oauth/revoke", {
          body,
          bodySerializer: (b) => new URLSearchParams(b).toString(),
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          parseAs: "text",
          signal: AbortSignal.timeout(5000),
        });
      await expect(post({ token: "t", client_id: "c", client_secret: "s" })).resolves.toBeDefined();
      await expect(post({ token: "t" })).rejects.toBeInstanceOf(ContractViolationError);
      // A documented error selected with Prefer is not a violation.
      const chosen = await withPrefer("code=401, example=invalid_client")(`${mock.url}/oauth/revoke`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "token=t&client_id=c&client_secret=s",
        signal: AbortSignal.timeout(5000),
      });
      expect(chosen.status).toBe(401);
      expect(() => assertNoViolations(chosen)).not.toThrow();
    } finally {
      await mock.stop();
    }
  });
});
