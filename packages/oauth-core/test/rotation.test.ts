import { describe, expect, it } from "vitest";
import {
  MemoryTokenStore,
  NetworkError,
  ProviderError,
  ReauthorizationRequiredError,
  ResponseParseError,
  TimeoutError,
  type TokenData,
  type WriteCondition,
} from "../src/index.js";
import { lifecycle, slot } from "./helpers.js";

describe("refresh-token rotation", () => {
  it("persists the rotated refresh token before any caller gets the access token", async () => {
    const events: string[] = [];
    class RecordingStore extends MemoryTokenStore {
      override async compareAndSet(key: string, token: TokenData, condition: WriteCondition) {
        await new Promise((resolve) => setTimeout(resolve, 20)); // a slow, durable write
        const result = await super.compareAndSet(key, token, condition);
        events.push(`stored ${token.refreshToken}`);
        return result;
      }
    }
    const { oauth, seedExpired, store } = await lifecycle({}, {}, new RecordingStore());
    const old = await seedExpired();
    events.length = 0;
    const callers = Array.from({ length: 10 }, () =>
      oauth.getToken("acct-1").then((t) => events.push(`handed out ${t.accessToken}`)),
    );
    await Promise.all(callers);
    expect(events[0]).toMatch(/^stored rt-/);
    expect(events.slice(1).every((e) => e.startsWith("handed out"))).toBe(true);
    const stored = await store.get(slot("acct-1"));
    expect(stored?.refreshToken).not.toBe(old.refreshToken);
    expect(events[0]).toBe(`stored ${stored?.refreshToken}`);
  });

  it("keeps the old refresh token when the response omits it", async () => {
    const { oauth, seedExpired, store, server, clock } = await lifecycle({
      omitRefreshToken: true,
      expiresIn: 600,
    });
    const old = await seedExpired();
    const fresh = await oauth.getToken("acct-1");
    expect(fresh.refreshToken).toBe(old.refreshToken);
    expect((await store.get(slot("acct-1")))?.refreshToken).toBe(old.refreshToken);
    clock.advance(600_000);
    await oauth.getToken("acct-1");
    expect(server.tokenRequests).toBe(2);
  });

  it("invalid_grant deletes the grant and throws ReauthorizationRequiredError to every waiting caller", async () => {
    const updates: string[] = [];
    const refreshErrors: boolean[] = [];
    const { oauth, seedExpired, store, server } = await lifecycle(
      { delayMs: 30 },
      {
        onTokenUpdate: ({ reason }) => void updates.push(reason),
        onRefreshError: ({ grantRemoved }) => void refreshErrors.push(grantRemoved),
      },
    );
    await seedExpired();
    server.faults.push({
      kind: "status",
      status: 400,
      body: '{"error":"invalid_grant","error_description":"expired"}',
    });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => oauth.getToken("acct-1")));
    expect(server.tokenRequests).toBe(1);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ReauthorizationRequiredError);
    }
    expect(await store.get(slot("acct-1"))).toBeUndefined();
    expect(updates).toEqual(["invalidated"]);
    expect(refreshErrors).toEqual([true]);
  });

  it.each([
    ["a 500", { kind: "status", status: 500 } as const, ProviderError],
    [
      "a 503",
      { kind: "status", status: 503, body: '{"error":"temporarily_unavailable"}' } as const,
      ProviderError,
    ],
    ["a dropped connection", { kind: "drop" } as const, NetworkError],
    ["an HTML page", { kind: "html" } as const, ResponseParseError],
    ["truncated JSON", { kind: "truncated" } as const, ResponseParseError],
    ["no answer in time", { kind: "delay", ms: 1500 } as const, TimeoutError],
  ])("after %s the grant stays intact and nothing is retried", async (_label, fault, type) => {
    const { oauth, seedExpired, store, server } = await lifecycle({}, { timeoutMs: 500 });
    await seedExpired();
    const before = await store.get(slot("acct-1"));
    server.faults.push(fault);
    const error = await oauth.getToken("acct-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(server.tokenRequests).toBe(1);
    expect(await store.get(slot("acct-1"))).toEqual(before);
    // The grant still works once the server recovers.
    const recovered = await oauth.getToken("acct-1");
    expect(recovered.refreshToken).not.toBe(before?.refreshToken);
    expect(server.tokenRequests).toBe(2);
  });
});
