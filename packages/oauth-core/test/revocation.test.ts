import { describe, expect, it } from "vitest";
import {
  createOAuthClient,
  InvalidInputError,
  MemoryTokenStore,
  RefreshPendingError,
  type TokenData,
  type TokenStore,
  type TokenUpdateEvent,
  type WriteCondition,
} from "../src/index.js";
import { slot } from "./helpers.js";
import { testProvider } from "./support/test-provider.js";

// No request is made: applying a notice only touches the store.
const provider = testProvider({ url: "http://127.0.0.1:9", now: Date.now });
const notice = { provider: "scripted", merchantId: "M-1", revokedAt: Date.UTC(2026, 11, 1) };
const accounts = new Map([["M-1", "acct-1"]]);
const account = (merchantId: string) => accounts.get(merchantId);

function grant(subject: string | undefined = "M-1", accessToken = "at-1"): TokenData {
  return { accessToken, tokenType: "Bearer", refreshToken: "rt-1", scopes: ["read"], subject, raw: {} };
}

function setup(store: TokenStore = new MemoryTokenStore()) {
  const events: TokenUpdateEvent[] = [];
  const oauth = createOAuthClient(provider, {
    store,
    timeoutMs: 5000,
    onTokenUpdate: (event) => {
      events.push(event);
    },
  });
  return { oauth, store, events };
}

/** A MemoryTokenStore that records the conditions of every compare-and-set delete. */
class RecordingStore extends MemoryTokenStore {
  deletes: WriteCondition[] = [];
  fences: number[] = [];
  override async acquireLease(key: string, owner: string, ttlMs: number) {
    const fence = await super.acquireLease(key, owner, ttlMs);
    if (fence !== undefined) this.fences.push(fence);
    return fence;
  }
  override async compareAndDelete(key: string, condition: WriteCondition) {
    this.deletes.push({ ...condition });
    return super.compareAndDelete(key, condition);
  }
}

describe("applyRevocation", () => {
  it("removes the merchant's grant under the lease and reports provider_revoked", async () => {
    const store = new RecordingStore();
    const { oauth, events } = setup(store);
    await store.set(slot("acct-1"), grant());
    const { version } = await store.read(slot("acct-1"));

    await expect(oauth.applyRevocation(notice, { account })).resolves.toEqual({
      account: "acct-1",
      removed: true,
    });
    expect(await store.get(slot("acct-1"))).toBeUndefined();
    expect(store.deletes).toEqual([{ version, fence: store.fences[0] }]);
    expect(events).toEqual([
      {
        key: { provider: "scripted", tokenType: "default", account: "acct-1" },
        reason: "provider_revoked",
        token: undefined,
      },
    ]);
    // The lease was released: a refresh can take it at once.
    expect(await store.acquireLease(slot("acct-1"), "next", 1000)).toBeGreaterThan(store.fences[0] as number);
  });

  it("is idempotent: the same notice twice removes once and fires once", async () => {
    const { oauth, store, events } = setup();
    await store.set(slot("acct-1"), grant());
    await oauth.applyRevocation(notice, { account });
    await expect(oauth.applyRevocation(notice, { account })).resolves.toEqual({
      account: "acct-1",
      removed: false,
    });
    expect(events).toHaveLength(1);
  });

  it("acknowledges a merchant the app does not know and removes nothing", async () => {
    const { oauth, store, events } = setup();
    await store.set(slot("acct-1"), grant());
    await expect(oauth.applyRevocation({ ...notice, merchantId: "M-other" }, { account })).resolves.toEqual({
      account: undefined,
      removed: false,
    });
    expect(await store.get(slot("acct-1"))).toBeDefined();
    expect(events).toEqual([]);
  });

  it("keeps a grant stored for another merchant (a stale mapping)", async () => {
    const { oauth, store, events } = setup();
    await store.set(slot("acct-1"), grant("M-2"));
    await expect(oauth.applyRevocation(notice, { account })).resolves.toMatchObject({ removed: false });
    expect((await store.get(slot("acct-1")))?.subject).toBe("M-2");
    expect(events).toEqual([]);
  });

  it("a notice delivered again after the merchant reconnected keeps the new grant; it removes the one it revoked", async () => {
    const { oauth, store, events } = setup();
    const revokedAt = notice.revokedAt;
    await store.set(slot("acct-1"), { ...grant("M-1", "at-new"), grantedAt: revokedAt + 10 * 60_000 });
    await expect(oauth.applyRevocation(notice, { account })).resolves.toMatchObject({ removed: false });
    expect((await store.get(slot("acct-1")))?.accessToken).toBe("at-new");
    await store.set(slot("acct-1"), { ...grant("M-1", "at-old"), grantedAt: revokedAt - 60_000 });
    await expect(oauth.applyRevocation(notice, { account })).resolves.toMatchObject({ removed: true });
    // Within a minute of the notice's time (whole-second stamps, another clock): the same grant.
    await store.set(slot("acct-1"), { ...grant("M-1", "at-close"), grantedAt: revokedAt + 30_000 });
    await expect(oauth.applyRevocation(notice, { account })).resolves.toMatchObject({ removed: true });
    // A notice without a time, or a grant without grantedAt (stored before it existed), removes as before.
    await store.set(slot("acct-1"), grant("M-1", "at-unknown"));
    await expect(oauth.applyRevocation(notice, { account })).resolves.toMatchObject({ removed: true });
    expect(events).toHaveLength(3);
  });

  it("stamps grantedAt at the code exchange and keeps it through refreshes", async () => {
    const { lifecycle } = await import("./helpers.js");
    const { oauth, clock, store: own } = await lifecycle();
    const at = clock.now();
    await oauth.exchange("code", { account: "acct-9", codeVerifier: "v".repeat(43) });
    clock.advance(7_200_000);
    await oauth.getToken("acct-9");
    const stored = await own.get(slot("acct-9"));
    expect(stored?.grantedAt).toBe(at);
    expect(stored?.expiresAt).toBeGreaterThan(at + 7_200_000);
  });

  it("keeps a new grant written between its read and its delete (a reconnect)", async () => {
    class ReconnectingStore extends MemoryTokenStore {
      override async read(key: string) {
        const record = await super.read(key);
        // A code exchange writes unconditionally, lease or not.
        await super.compareAndSet(key, grant("M-1", "at-new"), {});
        return record;
      }
    }
    const { oauth, store, events } = setup(new ReconnectingStore());
    await store.set(slot("acct-1"), grant());
    await expect(oauth.applyRevocation(notice, { account })).resolves.toMatchObject({ removed: false });
    expect((await store.get(slot("acct-1")))?.accessToken).toBe("at-new");
    expect(events).toEqual([]);
  });

  it("waits for a refresh holding the lease, then removes", async () => {
    const { oauth, store } = setup();
    const shared = store as MemoryTokenStore;
    await shared.set(slot("acct-1"), grant());
    const fence = (await shared.acquireLease(slot("acct-1"), "refresher", 60_000)) as number;
    const applying = oauth.applyRevocation(notice, { account, waitMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await shared.get(slot("acct-1"))).toBeDefined();
    await shared.releaseLease(slot("acct-1"), "refresher", fence);
    await expect(applying).resolves.toMatchObject({ removed: true });
    expect(await shared.get(slot("acct-1"))).toBeUndefined();
  });

  it("gives up with a retryable RefreshPendingError when the lease stays held, removing nothing", async () => {
    const { oauth, store, events } = setup();
    const shared = store as MemoryTokenStore;
    await shared.set(slot("acct-1"), grant());
    await shared.acquireLease(slot("acct-1"), "refresher", 60_000);
    const error = await oauth.applyRevocation(notice, { account, waitMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefreshPendingError);
    expect((error as RefreshPendingError).retryable).toBe(true);
    expect(await shared.get(slot("acct-1"))).toBeDefined();
    expect(events).toEqual([]);
  });

  it("works over a plain get/set/delete store (coordinated in this process)", async () => {
    const data = new Map<string, TokenData>();
    const plain: TokenStore = {
      get: async (key) => data.get(key),
      set: async (key, token) => {
        data.set(key, token);
      },
      delete: async (key) => {
        data.delete(key);
      },
    };
    const { oauth, events } = setup(plain);
    data.set(slot("acct-1"), grant());
    await expect(oauth.applyRevocation(notice, { account })).resolves.toMatchObject({ removed: true });
    expect(data.has(slot("acct-1"))).toBe(false);
    expect(events.map((e) => e.reason)).toEqual(["provider_revoked"]);
  });

  it("refuses a notice of another provider, and bad options, before touching the store", async () => {
    const { oauth, store } = setup();
    await store.set(slot("acct-1"), grant());
    await expect(
      oauth.applyRevocation({ ...notice, provider: "square" }, { account }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(oauth.applyRevocation({ ...notice, merchantId: "" }, { account })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(
      oauth.applyRevocation(notice, { account: undefined as unknown as () => string }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(oauth.applyRevocation(notice, { account: () => "" })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(await store.get(slot("acct-1"))).toBeDefined();
  });
});
