import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_REFRESH_SKEW_MS, InvalidInputError, TokenNotFoundError } from "../src/index.js";
import { lifecycle, slot } from "./helpers.js";

describe("proactive refresh with a clock skew", () => {
  it("defaults to 60 s: a token with 61 s left is served, one with 60 s left is refreshed", async () => {
    expect(DEFAULT_REFRESH_SKEW_MS).toBe(60_000);
    const { oauth, seedExpired, server, clock, store } = await lifecycle({ expiresIn: 3600 });
    await seedExpired();
    const fresh = await oauth.getToken("acct-1");
    expect(fresh.expiresAt).toBe(clock.now() + 3_600_000);
    clock.set((fresh.expiresAt as number) - 61_000);
    expect((await oauth.getToken("acct-1")).accessToken).toBe(fresh.accessToken);
    clock.advance(1000);
    const next = await oauth.getToken("acct-1");
    expect(next.accessToken).not.toBe(fresh.accessToken);
    expect(server.tokenRequests).toBe(2);
    expect((await store.get(slot("acct-1")))?.accessToken).toBe(next.accessToken);
  });

  it("honours a configured skew and an injected clock", async () => {
    const { oauth, seedExpired, server, clock } = await lifecycle(
      { expiresIn: 3600 },
      { refreshSkewMs: 600_000 },
    );
    await seedExpired();
    const fresh = await oauth.getToken("acct-1");
    clock.set((fresh.expiresAt as number) - 601_000);
    await oauth.getToken("acct-1");
    expect(server.tokenRequests).toBe(1);
    clock.advance(2000);
    await oauth.getToken("acct-1");
    expect(server.tokenRequests).toBe(2);
  });

  it("a token without expiry is never refreshed", async () => {
    const { oauth, store, server } = await lifecycle();
    await store.set(slot("forever"), { accessToken: "t", tokenType: "bearer", scopes: [], raw: {} });
    expect((await oauth.getToken("forever")).accessToken).toBe("t");
    expect(server.tokenRequests).toBe(0);
  });

  it("rejects a negative or non-finite skew, and unknown accounts get TokenNotFoundError", async () => {
    const { oauth } = await lifecycle();
    await expect(lifecycle({}, { refreshSkewMs: -1 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(lifecycle({}, { timeoutMs: Number.NaN })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(oauth.getToken("nobody")).rejects.toBeInstanceOf(TokenNotFoundError);
    await expect(oauth.getToken("")).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("leaves no timer that keeps the process alive (default 10 s timeout pending)", () => {
    const script = fileURLToPath(new URL("./support/exit-check.mjs", import.meta.url));
    const started = Date.now();
    // A leaked 10 s timer would keep the child past 9.5 s: killed, it fails the status check. The
    // margin below that is for a loaded machine, where starting Node alone can take seconds.
    const result = spawnSync(process.execPath, [script], {
      encoding: "utf8",
      timeout: 9500,
    });
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("refreshed");
    expect(result.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(9500);
  });
});
