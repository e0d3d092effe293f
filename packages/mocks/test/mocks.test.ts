import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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
  it("serves a provider's spec, streams Prism's log, and stop() frees the port", async () => {
    let log = "";
    const mock = await startMock("gocardless", {
      onOutput: (text) => {
        log += text;
      },
    });
    const ok = await fetch(`${mock.url}/oauth/revoke`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "token=t&client_id=c&client_secret=s",
      signal: AbortSignal.timeout(5000),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("sl-violations")).toBeNull();
    // The request log, not just the routes Prism lists when it starts.
    await expect.poll(() => log, { timeout: 5000 }).toMatch(/passed the validation rules/);
    await mock.stop();
    await mock.stop(); // idempotent
    await expect(mock.exited).resolves.toBeDefined();
    await expect(fetch(mock.url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });

  it("resolves every shipped provider and rejects unknown names", () => {
    for (const provider of PROVIDERS)
      expect(resolveSpec(provider)).toMatch(new RegExp(`${provider}\\.yaml$`));
    expect(() => resolveSpec("nope")).toThrow(/unknown provider/);
  });

  it("refuses a port another server holds instead of handing back that server's URL", async () => {
    const squatter = createServer((_req, res) => res.end("not prism"));
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      await expect(startMock("gocardless", { port, startTimeoutMs: 30_000 })).rejects.toThrow(
        /Prism did not start/,
      );
    } finally {
      squatter.closeAllConnections();
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it("kills Prism when the process that started it exits without stop()", () => {
    const script = `
      import { startMock } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).pathname)};
      const mock = await startMock("gocardless");
      console.log(mock.port);
      process.exit(0);`;
    // The built package (turbo builds before tests): a child process cannot load TypeScript here.
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 150_000, // above startMock's 90 s start budget: a loaded machine starts Prism slowly
    });
    const port = Number(run.stdout.trim().split("\n").pop());
    expect(port).toBeGreaterThan(0);
    // Nothing may be listening there any more: the exit handler killed Prism.
    const probe = spawnSync(process.execPath, [
      "-e",
      `fetch("http://127.0.0.1:${port}/", { signal: AbortSignal.timeout(2000) }).then(() => process.exit(1), () => process.exit(0))`,
    ]);
    expect(probe.status).toBe(0);
  });

  it("the CLI answers --help with its usage and exit 0, bad input with one line and exit 2", () => {
    const bin = new URL("../bin/partner-oauth-mock.mjs", import.meta.url).pathname;
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 30_000 });
    const help = cli("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: partner-oauth-mock <gocardless\|/);
    for (const [args, message] of [
      [["gocardles"], "unknown provider or missing spec file: gocardles"],
      [[], "name a provider or a spec file"],
      [["square", "--port", "http"], "--port needs a port number, got http"],
      [["square", "--verbose"], 'unknown argument "--verbose"'],
    ] as const) {
      const run = cli(...args);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(
        `partner-oauth-mock: ${message}\nusage: partner-oauth-mock <gocardless|truelayer|square|braintree|opencollective|oauth2|spec.yaml> [--port 4010]\n`,
      );
    }
  }, 60_000);

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
