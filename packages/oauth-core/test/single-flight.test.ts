import { describe, expect, it } from "vitest";
import { lifecycle } from "./helpers.js";

describe("single-flight refresh", () => {
  it("1,000 concurrent getToken calls on one expired token send exactly one refresh, and all get the new token", async () => {
    const { server, oauth, seedExpired } = await lifecycle({ delayMs: 50 });
    const old = await seedExpired();
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => oauth.getToken("acct-1")));
    expect(server.tokenRequests).toBe(1);
    const distinct = new Set(tokens.map((t) => t.accessToken));
    expect(distinct.size).toBe(1);
    expect([...distinct][0]).not.toBe(old.accessToken);
    // The single-use refresh token was spent once and the rotated one works for the next refresh.
    await oauth.refresh("acct-1");
    expect(server.tokenRequests).toBe(2);
    expect(server.requests.filter((r) => r.path === "/token").every((r) => r.grant === "refresh_token")).toBe(
      true,
    );
  });

  it("different accounts refresh independently and concurrently", async () => {
    const { server, oauth, seedExpired } = await lifecycle({ delayMs: 100 });
    const accounts = ["a", "b", "c", "d"];
    for (const account of accounts) await seedExpired(account);
    const calls = accounts.flatMap((account) => Array.from({ length: 25 }, () => oauth.getToken(account)));
    const tokens = await Promise.all(calls);
    expect(server.tokenRequests).toBe(4);
    expect(server.maxConcurrentTokenRequests).toBe(4);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(4);
  });

  it("a fresh token is served from the store without any request", async () => {
    const { server, oauth, seedExpired, clock } = await lifecycle();
    await seedExpired();
    const first = await oauth.getToken("acct-1");
    clock.advance(60_000);
    const again = await Promise.all(Array.from({ length: 100 }, () => oauth.getToken("acct-1")));
    expect(server.tokenRequests).toBe(1);
    expect(again.every((t) => t.accessToken === first.accessToken)).toBe(true);
  });
});
