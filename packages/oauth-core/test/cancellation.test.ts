import { describe, expect, it } from "vitest";
import { RequestAbortedError, TimeoutError } from "../src/index.js";
import { lifecycle } from "./helpers.js";

describe("timeouts and cancellation", () => {
  // Timeouts leave the request ample time to reach the server on a loaded CI machine: the request
  // counts below assume it arrived before the deadline.
  it("a request past the timeout fails with TimeoutError", async () => {
    const { oauth, seedExpired, server } = await lifecycle({ delayMs: 2000 }, { timeoutMs: 1000 });
    await seedExpired();
    await expect(oauth.getToken("acct-1")).rejects.toBeInstanceOf(TimeoutError);
    expect(server.tokenRequests).toBe(1);
  });

  it("a per-call timeout overrides the client's; a refresh caller's timeout ends only its own wait", async () => {
    const { oauth, seedExpired, server } = await lifecycle({ delayMs: 1000 }, { timeoutMs: 5000 });
    await expect(
      oauth.exchange("code", { account: "x", codeVerifier: "v".repeat(43), timeoutMs: 500 }),
    ).rejects.toBeInstanceOf(TimeoutError);
    await seedExpired();
    const impatient = oauth.getToken("acct-1", { timeoutMs: 50 });
    const patient = oauth.getToken("acct-1");
    await expect(impatient).rejects.toBeInstanceOf(TimeoutError);
    await expect(patient).resolves.toMatchObject({ tokenType: "Bearer" });
    expect(server.tokenRequests).toBe(2);
  });

  it("an aborted caller stops waiting, while the shared refresh completes for the others", async () => {
    const { oauth, seedExpired, server } = await lifecycle({ delayMs: 200 });
    await seedExpired();
    const controller = new AbortController();
    const impatient = oauth.getToken("acct-1", { signal: controller.signal });
    const patient = oauth.getToken("acct-1");
    setTimeout(() => controller.abort(), 20);
    await expect(impatient).rejects.toBeInstanceOf(RequestAbortedError);
    await expect(patient).resolves.toMatchObject({ tokenType: "Bearer" });
    expect(server.tokenRequests).toBe(1);
  });

  it("an already-aborted signal sends nothing", async () => {
    const { oauth, server } = await lifecycle();
    const controller = new AbortController();
    controller.abort();
    await expect(
      oauth.exchange("code", { account: "a", codeVerifier: "v".repeat(43), signal: controller.signal }),
    ).rejects.toBeInstanceOf(RequestAbortedError);
    expect(server.requests).toHaveLength(0);
  });
});
