import { createOAuthClient } from "../client.js";
import type { SharedTokenStore, WriteResult } from "../shared-store.js";
import { storeKey } from "../store.js";
import type { TokenData } from "../token.js";
import { singleUseProvider } from "./single-use-provider.js";

/**
 * Opens a client of the store under test. Every call within one check must reach the same backing
 * data (another connection, another client object), so checks can play several processes.
 */
export type OpenSharedStore = () => SharedTokenStore | Promise<SharedTokenStore>;

/** One rule of the shared-store contract, runnable in any test framework. */
export interface SharedTokenStoreCheck {
  name: string;
  /** Resolves when the store keeps the rule; rejects with an Error explaining the breach. */
  run(open: OpenSharedStore): Promise<void>;
}

function record(n: number): TokenData {
  return {
    accessToken: `access-${n}`,
    tokenType: "Bearer",
    refreshToken: `refresh-${n}`,
    scopes: ["s"],
    raw: { n },
  };
}

/** Keys unique to one run of one check, so a store need not be emptied between checks. */
function freshKey(): string {
  return `conformance:default:~${crypto.randomUUID()}`;
}

function fail(rule: string, what: string): never {
  throw new Error(`SharedTokenStore breaks "${rule}": ${what}`);
}

function expectWrite(result: WriteResult, expected: WriteResult["ok"], rule: string, what: string): void {
  if (result.ok !== expected)
    fail(rule, `${what}: expected ${expected ? "success" : "refusal"}, got ${JSON.stringify(result)}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lease TTLs in the timing checks: long enough for a slow database round trip, short enough to wait out. */
const SHORT_TTL_MS = 400;

/**
 * The checks every `SharedTokenStore` must pass, on top of `tokenStoreChecks`:
 * `for (const check of sharedTokenStoreChecks) it(check.name, () => check.run(() => openStore()))`.
 * A few wait out a lease of 400 ms.
 */
export const sharedTokenStoreChecks: readonly SharedTokenStoreCheck[] = [
  {
    name: "a never-written key reads as no token at version 0",
    async run(open) {
      const read = await (await open()).read(freshKey());
      if (read.token !== undefined || read.version !== 0) fail(this.name, `got ${JSON.stringify(read)}`);
    },
  },
  {
    name: "every write and delete moves the version up, and a delete keeps it (no reuse after a tombstone)",
    async run(open) {
      const store = await open();
      const key = freshKey();
      const versions: number[] = [];
      const first = await store.compareAndSet(key, record(1), { version: 0 });
      expectWrite(first, true, this.name, "create at version 0");
      versions.push((await store.read(key)).version);
      await store.set(key, record(2));
      versions.push((await store.read(key)).version);
      await store.delete(key);
      const tombstone = await store.read(key);
      if (tombstone.token !== undefined) fail(this.name, "a deleted key still has a token");
      versions.push(tombstone.version);
      expectWrite(
        await store.compareAndSet(key, record(3), { version: versions[0] }),
        false,
        this.name,
        "a write expecting a version from before the delete",
      );
      expectWrite(
        await store.compareAndSet(key, record(3), { version: tombstone.version }),
        true,
        this.name,
        "a write expecting the tombstone's version",
      );
      versions.push((await store.read(key)).version);
      for (let i = 1; i < versions.length; i++)
        if (!((versions[i] as number) > (versions[i - 1] as number)))
          fail(this.name, `versions ${versions.join(", ")} do not grow`);
    },
  },
  {
    name: "compare-and-set succeeds only on the version read, and a refused write changes nothing",
    async run(open) {
      const store = await open();
      const key = freshKey();
      await store.set(key, record(1));
      const { version } = await store.read(key);
      expectWrite(
        await store.compareAndSet(key, record(2), { version: version + 1 }),
        false,
        this.name,
        "a newer version than stored",
      );
      expectWrite(
        await store.compareAndSet(key, record(2), { version: version - 1 }),
        false,
        this.name,
        "an older version than stored",
      );
      const after = await store.read(key);
      if (after.version !== version || JSON.stringify(after.token) !== JSON.stringify(record(1)))
        fail(this.name, "a refused write changed the record");
      const ok = await store.compareAndSet(key, record(2), { version });
      expectWrite(ok, true, this.name, "the version read");
      const read = await store.read(key);
      if (!ok.ok || read.version !== ok.version)
        fail(this.name, "the version a write returns is not the one read back");
      if (JSON.stringify(read.token) !== JSON.stringify(record(2)))
        fail(this.name, "the written record is not read back");
    },
  },
  {
    name: "compare-and-delete succeeds only on the version read",
    async run(open) {
      const store = await open();
      const key = freshKey();
      await store.set(key, record(1));
      const { version } = await store.read(key);
      await store.set(key, record(2));
      expectWrite(
        await store.compareAndDelete(key, { version }),
        false,
        this.name,
        "a delete of a replaced record",
      );
      if ((await store.read(key)).token === undefined) fail(this.name, "a refused delete removed the record");
      const current = await store.read(key);
      expectWrite(
        await store.compareAndDelete(key, { version: current.version }),
        true,
        this.name,
        "a delete at the current version",
      );
      if ((await store.read(key)).token !== undefined) fail(this.name, "the record survived its delete");
    },
  },
  {
    name: "of many concurrent compare-and-sets on one version from several clients, exactly one wins",
    async run(open) {
      const clients = await Promise.all([open(), open(), open()]);
      const key = freshKey();
      await (clients[0] as SharedTokenStore).set(key, record(0));
      const { version } = await (clients[0] as SharedTokenStore).read(key);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (clients[i % 3] as SharedTokenStore).compareAndSet(key, record(100 + i), { version }),
        ),
      );
      const winners = results.flatMap((result, i) => (result.ok ? [i] : []));
      if (winners.length !== 1) fail(this.name, `${winners.length} writers won`);
      const read = await (clients[1] as SharedTokenStore).read(key);
      if (JSON.stringify(read.token) !== JSON.stringify(record(100 + (winners[0] as number))))
        fail(this.name, "the stored record is not the winner's");
    },
  },
  {
    name: "a lease is exclusive: of many concurrent acquires from several clients, exactly one gets a fence",
    async run(open) {
      const clients = await Promise.all([open(), open(), open()]);
      const key = freshKey();
      const fences = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (clients[i % 3] as SharedTokenStore).acquireLease(key, `owner-${i}`, 10_000),
        ),
      );
      const granted = fences.filter((fence) => fence !== undefined);
      if (granted.length !== 1) fail(this.name, `${granted.length} owners got the lease`);
    },
  },
  {
    name: "only the holder releases or renews a lease, and the next grant has a larger fence",
    async run(open) {
      const store = await open();
      const key = freshKey();
      const fence = await store.acquireLease(key, "a", 10_000);
      if (fence === undefined) fail(this.name, "a free lease was refused");
      await store.releaseLease(key, "b", fence);
      await store.releaseLease(key, "a", fence + 1);
      if ((await store.acquireLease(key, "b", 10_000)) !== undefined)
        fail(this.name, "a release by a non-holder freed the lease");
      if (await store.renewLease(key, "b", fence, 10_000)) fail(this.name, "a non-holder renewed the lease");
      if (!(await store.renewLease(key, "a", fence, 10_000))) fail(this.name, "the holder could not renew");
      await store.releaseLease(key, "a", fence);
      const next = await store.acquireLease(key, "b", 10_000);
      if (next === undefined || !(next > fence))
        fail(this.name, `after release the next fence is ${next}, not above ${fence}`);
    },
  },
  {
    name: "a lease expires after its TTL, and renewing extends it",
    async run(open) {
      const store = await open();
      const key = freshKey();
      const renewed = freshKey();
      const first = await store.acquireLease(key, "a", SHORT_TTL_MS);
      const kept = await store.acquireLease(renewed, "a", SHORT_TTL_MS);
      if (first === undefined || kept === undefined) fail(this.name, "a free lease was refused");
      await sleep(SHORT_TTL_MS / 2);
      if (!(await store.renewLease(renewed, "a", kept, SHORT_TTL_MS * 3)))
        fail(this.name, "a live lease could not be renewed");
      await sleep(SHORT_TTL_MS / 2 + 200);
      const second = await store.acquireLease(key, "b", SHORT_TTL_MS);
      if (second === undefined || !(second > first))
        fail(this.name, "an expired lease was not granted again with a larger fence");
      if ((await store.acquireLease(renewed, "b", SHORT_TTL_MS)) !== undefined)
        fail(this.name, "a renewed lease expired at its old TTL");
      if (await store.renewLease(key, "a", first, SHORT_TTL_MS))
        fail(this.name, "an expired holder renewed a lease granted to another");
    },
  },
  {
    name: "fencing: a holder paused past its TTL cannot write, delete or release over the next holder",
    async run(open) {
      const [paused, next] = await Promise.all([open(), open()]);
      const key = freshKey();
      await paused.set(key, record(1));
      const { version } = await paused.read(key);
      const stale = await paused.acquireLease(key, "paused", SHORT_TTL_MS);
      if (stale === undefined) fail(this.name, "a free lease was refused");
      await sleep(SHORT_TTL_MS + 200);
      const fresh = await next.acquireLease(key, "next", 10_000);
      if (fresh === undefined || !(fresh > stale))
        fail(this.name, "the lease was not granted again with a larger fence");
      // The version still matches: only the fence can refuse these.
      const write = await paused.compareAndSet(key, record(2), { version, fence: stale });
      if (write.ok || write.conflict !== "fence")
        fail(this.name, `a stale fence's write got ${JSON.stringify(write)}`);
      const removal = await paused.compareAndDelete(key, { version, fence: stale });
      if (removal.ok || removal.conflict !== "fence")
        fail(this.name, `a stale fence's delete got ${JSON.stringify(removal)}`);
      await paused.releaseLease(key, "paused", stale);
      if ((await paused.acquireLease(key, "third", 10_000)) !== undefined)
        fail(this.name, "a stale release freed the next holder's lease");
      expectWrite(
        await next.compareAndSet(key, record(3), { version, fence: fresh }),
        true,
        this.name,
        "the current holder's write",
      );
      const read = await paused.read(key);
      if (JSON.stringify(read.token) !== JSON.stringify(record(3)))
        fail(this.name, "the current holder's record is not stored");
    },
  },
  {
    name: "fences keep growing across a delete of the record",
    async run(open) {
      const store = await open();
      const key = freshKey();
      await store.set(key, record(1));
      const before = await store.acquireLease(key, "a", 10_000);
      if (before === undefined) fail(this.name, "a free lease was refused");
      await store.releaseLease(key, "a", before);
      await store.delete(key);
      const after = await store.acquireLease(key, "b", 10_000);
      if (after === undefined || !(after > before))
        fail(this.name, `fence ${after} after a delete is not above ${before}`);
    },
  },
  {
    name: "writes without a fence (a reconnect) land while a lease is held, and the holder's stale write then fails",
    async run(open) {
      const [holder, other] = await Promise.all([open(), open()]);
      const key = freshKey();
      await holder.set(key, record(1));
      const { version } = await holder.read(key);
      const fence = await holder.acquireLease(key, "holder", 10_000);
      if (fence === undefined) fail(this.name, "a free lease was refused");
      expectWrite(
        await other.compareAndSet(key, record(2), {}),
        true,
        this.name,
        "an unconditional write under another's lease",
      );
      const write = await holder.compareAndSet(key, record(3), { version, fence });
      if (write.ok || write.conflict !== "version")
        fail(this.name, `the holder's write on an old version got ${JSON.stringify(write)}`);
    },
  },
  {
    name: "three facade clients over three store clients, 60 callers on an expired single-use grant: one refresh, one token, nothing lost",
    async run(open) {
      const { provider, refreshes, live } = singleUseProvider();
      const stores = await Promise.all([open(), open(), open()]);
      const clients = stores.map((store) => createOAuthClient(provider, { store, timeoutMs: 10_000 }));
      const account = crypto.randomUUID();
      const key = storeKey({ provider: provider.id, tokenType: "default", account });
      const expired = { ...record(0), expiresAt: Date.now() - 1_000 };
      await (stores[0] as SharedTokenStore).set(key, expired);
      const tokens = await Promise.all(
        Array.from({ length: 60 }, (_, i) => clients[i % 3]?.getToken(account)),
      );
      if (refreshes() !== 1) fail(this.name, `${refreshes()} refreshes`);
      const handedOut = [...new Set(tokens.map((token) => token?.accessToken))];
      if (handedOut.length !== 1 || handedOut[0] !== "access-1")
        fail(this.name, `callers got ${JSON.stringify(handedOut)}`);
      const stored = await (stores[2] as SharedTokenStore).get(key);
      if (stored?.refreshToken !== live()) fail(this.name, "the store does not hold the live refresh token");
    },
  },
];
