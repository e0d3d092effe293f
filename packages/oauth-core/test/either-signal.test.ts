import { afterEach, describe, expect, it } from "vitest";
import { eitherSignal } from "../src/either-signal.js";
import { RequestAbortedError, TimeoutError } from "../src/index.js";
import { lifecycle } from "./helpers.js";

const original = AbortSignal.any;
/** Plays a runtime without `AbortSignal.any` (Vercel's edge-runtime). */
function withoutAbortSignalAny() {
  (AbortSignal as { any?: unknown }).any = undefined;
}
afterEach(() => {
  AbortSignal.any = original;
});

describe("eitherSignal", () => {
  it.each([
    ["with AbortSignal.any", () => {}],
    ["without AbortSignal.any", withoutAbortSignalAny],
  ])("%s: aborts with whichever signal aborts first, and its reason", (_label, setUp) => {
    setUp();
    const a = new AbortController();
    const b = new AbortController();
    const { signal, release } = eitherSignal(a.signal, b.signal);
    expect(signal.aborted).toBe(false);
    b.abort(new Error("b"));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe("b");
    release();
    const c = new AbortController();
    c.abort(new Error("c"));
    expect((eitherSignal(c.signal, a.signal).signal.reason as Error).message).toBe("c");
  });

  it("without AbortSignal.any, release() leaves no listener on a long-lived signal", () => {
    withoutAbortSignalAny();
    const caller = new AbortController();
    const counted = { added: 0, removed: 0 };
    const add = caller.signal.addEventListener.bind(caller.signal);
    const remove = caller.signal.removeEventListener.bind(caller.signal);
    caller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      counted.added++;
      return add(...args);
    }) as typeof add;
    caller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      counted.removed++;
      return remove(...args);
    }) as typeof remove;
    for (let i = 0; i < 100; i++) eitherSignal(caller.signal, new AbortController().signal).release();
    expect(counted).toEqual({ added: 100, removed: 100 });
  });

  it("without AbortSignal.any, a refresh under a caller's signal and timeout still works and still stops", async () => {
    withoutAbortSignalAny();
    const { oauth, seedExpired, server } = await lifecycle({ delayMs: 300 });
    await seedExpired();
    const controller = new AbortController();
    const waiting = oauth.getToken("acct-1", { signal: controller.signal, timeoutMs: 5000 });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(RequestAbortedError);
    await expect(oauth.getToken("acct-1", { timeoutMs: 50 })).rejects.toBeInstanceOf(TimeoutError);
    const token = await oauth.refresh("acct-1", { signal: new AbortController().signal, timeoutMs: 5000 });
    expect(server.isLive(token.refreshToken)).toBe(true);
  });
});
