import type { DueCursor, DueGrant, DueIndex, DueQuery } from "../due-index.js";
import { InvalidInputError } from "../errors.js";
import type { SharedTokenStore } from "../shared-store.js";
import type { TokenData } from "../token.js";

/** Opens a client of the store under test (see `OpenSharedStore`), one that lists due grants. */
export type OpenDueIndexStore = () => (SharedTokenStore & DueIndex) | Promise<SharedTokenStore & DueIndex>;

/** One rule of the due index (`DueIndex`), runnable in any test framework. */
export interface DueIndexCheck {
  name: string;
  run(open: OpenDueIndexStore): Promise<void>;
}

/** Due times far in the past, so no real grant of a shared database is listed before them. */
const T = 1_000_000_000;

function due(n: number, refreshDueAt: number | undefined): TokenData {
  const token: TokenData = {
    accessToken: `a-${n}`,
    tokenType: "Bearer",
    refreshToken: `r-${n}`,
    scopes: [],
    raw: {},
  };
  if (refreshDueAt !== undefined) token.refreshDueAt = refreshDueAt;
  return token;
}

/** A provider segment unique to one run of one check: the prefix every listing of the run uses. */
function freshPrefix(special = ""): string {
  return `${encodeURIComponent(`due${special}-${crypto.randomUUID()}`)}:`;
}

function fail(rule: string, what: string): never {
  throw new Error(`DueIndex breaks "${rule}": ${what}`);
}

async function listAll(store: DueIndex, prefix: string, before: number, limit: number): Promise<DueGrant[]> {
  const all: DueGrant[] = [];
  let after: DueCursor | undefined;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await store.listDue({ prefix, before, limit, after });
    if (page.grants.length > limit) fail("pages", `a page of ${page.grants.length} for limit ${limit}`);
    all.push(...page.grants);
    if (!page.next) return all;
    after = page.next;
  }
  return fail("pages", "more than 1,000 pages");
}

const show = (grants: DueGrant[]) =>
  JSON.stringify(grants.map((g) => [g.key.split(":").at(-1), g.refreshDueAt]));

/**
 * The checks every store with a due index must pass, beside `sharedTokenStoreChecks`:
 * `for (const check of dueIndexChecks) it(check.name, () => check.run(() => openStore()))`.
 */
export const dueIndexChecks: readonly DueIndexCheck[] = [
  {
    name: "lists the records of a prefix due at or before `before`, earliest first, nothing else",
    async run(open) {
      const store = await open();
      const prefix = freshPrefix();
      const other = freshPrefix();
      await store.set(`${prefix}default:~c`, due(3, T + 30));
      await store.set(`${prefix}default:~a`, due(1, T + 10));
      await store.set(`${prefix}default:~b`, due(2, T + 20));
      await store.set(`${prefix}default:~none`, due(4, undefined));
      await store.set(`${other}default:~a`, due(5, T + 1));
      const page = await store.listDue({ prefix, before: T + 20, limit: 10 });
      const expected = [`${prefix}default:~a`, `${prefix}default:~b`];
      if (
        JSON.stringify(page.grants.map((g) => g.key)) !== JSON.stringify(expected) ||
        page.next !== undefined
      )
        fail(this.name, `got ${show(page.grants)}, next ${JSON.stringify(page.next)}`);
      if (page.grants[0]?.refreshDueAt !== T + 10) fail(this.name, "refreshDueAt not as written");
    },
  },
  {
    name: "a write moves a record in the index, a write without refreshDueAt and a delete take it out",
    async run(open) {
      const store = await open();
      const prefix = freshPrefix();
      const [moved, cleared, deleted] = ["moved", "cleared", "deleted"].map(
        (a) => `${prefix}default:~${a}`,
      ) as [string, string, string];
      for (const key of [moved, cleared, deleted]) await store.set(key, due(1, T + 10));
      await store.set(moved, due(2, T + 500));
      await store.compareAndSet(cleared, due(3, undefined), {});
      await store.delete(deleted);
      const early = await listAll(store, prefix, T + 100, 10);
      if (early.length !== 0) fail(this.name, `listed ${show(early)} before T+100`);
      const late = await listAll(store, prefix, T + 1_000, 10);
      if (late.length !== 1 || late[0]?.key !== moved || late[0].refreshDueAt !== T + 500)
        fail(this.name, `listed ${show(late)} before T+1000`);
    },
  },
  {
    name: "a refused compare-and-set or compare-and-delete leaves the index as it was",
    async run(open) {
      const store = await open();
      const prefix = freshPrefix();
      const key = `${prefix}default:~k`;
      await store.set(key, due(1, T + 10));
      const { version } = await store.read(key);
      const refused = await store.compareAndSet(key, due(2, T + 900), { version: version + 7 });
      const notDeleted = await store.compareAndDelete(key, { version: version + 7 });
      if (refused.ok || notDeleted.ok) fail(this.name, "a write on a wrong version succeeded");
      const listed = await listAll(store, prefix, T + 100, 10);
      if (listed.length !== 1 || listed[0]?.refreshDueAt !== T + 10)
        fail(this.name, `listed ${show(listed)}`);
    },
  },
  {
    name: "pages of `limit` with their cursor go through every due grant exactly once, ties ordered by key",
    async run(open) {
      const store = await open();
      const prefix = freshPrefix();
      const written: DueGrant[] = [];
      for (let i = 0; i < 23; i++) {
        const key = `${prefix}default:~${String.fromCharCode(97 + ((i * 7) % 23))}`;
        const refreshDueAt = T + Math.floor(i / 4); // four to a millisecond: ties
        written.push({ key, refreshDueAt });
        await store.set(key, due(i, refreshDueAt));
      }
      const expected = [...written].sort(
        (a, b) => a.refreshDueAt - b.refreshDueAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
      );
      for (const limit of [1, 5, 23, 50]) {
        const listed = await listAll(store, prefix, T + 100, limit);
        if (show(listed) !== show(expected)) fail(this.name, `limit ${limit}: ${show(listed)}`);
      }
    },
  },
  {
    name: "a malformed query is refused with InvalidInputError (and rejects, never throws)",
    async run(open) {
      const store = await open();
      const good: DueQuery = { prefix: freshPrefix(), before: T, limit: 5 };
      const bad: [string, unknown][] = [
        ["a prefix that is no string", { ...good, prefix: 7 }],
        ["limit 0", { ...good, limit: 0 }],
        ["a fractional limit", { ...good, limit: 2.5 }],
        ["before NaN", { ...good, before: Number.NaN }],
        ["a cursor without key", { ...good, after: { refreshDueAt: T } }],
      ];
      for (const [what, query] of bad) {
        let outcome: unknown;
        try {
          outcome = await store.listDue(query as DueQuery).then(
            () => "resolved",
            (error: unknown) => error,
          );
        } catch {
          outcome = "threw synchronously";
        }
        if (!(outcome instanceof InvalidInputError)) fail(this.name, `${what}: ${String(outcome)}`);
      }
    },
  },
  {
    name: "the prefix matches literally: %, _, *, ?, [ and \\ are no wildcards",
    async run(open) {
      const store = await open();
      const base = `due-${crypto.randomUUID()}`;
      // Percent-encoding keeps `%` in every prefix the core builds; the rest a store must not glob either.
      const prefix = `${base}%_*?[\\:`;
      const lookalikes = [`${base}%5F*?[\\:`, `${base}%_x?[\\:`, `${base}XX*?[\\:`, `${base}%_*?[\\\\:`];
      await store.set(`${prefix}default:~a`, due(1, T + 1));
      for (const [i, p] of lookalikes.entries()) await store.set(`${p}default:~a`, due(i + 2, T + 1));
      const listed = await listAll(store, prefix, T + 10, 10);
      if (listed.length !== 1 || listed[0]?.key !== `${prefix}default:~a`)
        fail(this.name, `listed ${show(listed)}`);
    },
  },
];
