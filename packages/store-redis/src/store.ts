import {
  checkDueQuery,
  parseCount as countOf,
  type DueIndex,
  type DuePage,
  type DueQuery,
  InvalidInputError,
  recordFromJson,
  recordToJson,
  SharedTokenStoreBase,
  StoreError,
  type TokenData,
  UnsupportedOperationError,
  type VersionedRecord,
  type WriteCondition,
  type WriteResult,
} from "@partner-oauth/core";
import { isRedisEvalClient, type RedisEvalClient, type RedisSubscriber } from "./client.js";
import { classify, storeError } from "./errors.js";
import { SCRIPTS, type ScriptName } from "./scripts.js";

export interface RedisTokenStoreOptions {
  /**
   * Runs the store's scripts: `fromNodeRedis(client)` or `fromIoredis(client)` over a connected
   * client, or any object with `evalsha` and `eval` (`RedisEvalClient`).
   */
  client: RedisEvalClient;
  /**
   * Put before every key the store uses (no `{` or `}`: the store key is the hash tag). Default
   * `partner-oauth:`.
   */
  prefix?: string | undefined;
  /**
   * A second connection, in subscribe mode, that wakes this process's waiters as soon as another
   * process writes the key they wait on (the write script publishes each new version). Without it
   * waiters poll every few ms; with it they still poll as a fallback, since pub/sub may drop a message.
   */
  subscriber?: RedisSubscriber | undefined;
  /**
   * Keep the due index, `<prefix>due` (a sorted set of store keys by `refreshDueAt`), which
   * `oauth.sweep` lists. Default `true`. Each write updates it in the same script as the record, so
   * on a Redis Cluster (where one script cannot touch two slots) pass `false`: writes then leave it
   * alone, and `listDue` is unsupported.
   */
  dueIndex?: boolean | undefined;
}

/** The key prefix unless told otherwise. */
export const DEFAULT_PREFIX = "partner-oauth:";

/** The longest lease accepted (about 31 years): anything longer is a unit mistake. */
const MAX_TTL_MS = 1e12;

/** The two Redis keys of one store key. */
export interface RedisKeys {
  /** The hash with `version`, `fence` and (unless deleted) `record`. */
  record: string;
  /** The lease: a string holding its owner, with the lease's TTL (`SET … NX PX`). */
  lease: string;
}

/**
 * The Redis keys of a store key: `<prefix>{<key>}` and `<prefix>{<key>}:lease`. The store key in
 * braces is the hash tag (up to its first `}`, if it has one), so a record and its lease share a
 * cluster slot; no two store keys share a Redis key. A key that starts with `}` makes an empty tag, which
 * Redis Cluster ignores (its two keys may then sit in different slots, and its scripts fail there
 * with `CROSSSLOT`); the core's keys never do.
 */
/** The due index's key: `<prefix>due`, which no record or lease key can be (theirs have braces). */
export function dueIndexKey(prefix: string = DEFAULT_PREFIX): string {
  checkPrefix(prefix);
  return `${prefix}due`;
}

/** Entries of the due index one `listDue` call looks at, at most, past other providers' keys. */
const LIST_DUE_SCAN = 2_000;

export function redisKeys(key: string, prefix: string = DEFAULT_PREFIX): RedisKeys {
  checkKey(key);
  checkPrefix(prefix);
  const record = `${prefix}{${key}}`;
  return { record, lease: `${record}:lease` };
}

/**
 * A `SharedTokenStore` in Redis: one hash per key (record, version, fence) and one lease key taken
 * with `SET NX PX`, every operation one Lua script (atomic on the server, `EVALSHA` with an `EVAL`
 * fallback). Versions and fences grow with every write and grant and survive deletes (a tombstone);
 * leases expire by the server's clock (`PX`), never the caller's.
 *
 * Failures: a call that fails rejects with `StoreError` (`retryable: true` for a lost or refused
 * connection, a timeout, or a server that is loading, busy or failing over; `false` for a permission
 * error, a script error, ...); a key holding something this store did not write (another type, other
 * fields, a record that is no token object, a lease without TTL) rejects with `InvalidInputError` and is
 * left as it is, as does a bad argument. No message holds a key, a token or an argument.
 */
export class RedisTokenStore extends SharedTokenStoreBase implements DueIndex {
  readonly #client: RedisEvalClient;
  readonly #prefix: string;
  readonly #dueIndex: string | undefined;
  readonly #subscriber: RedisSubscriber | undefined;
  /** Channel → the wake-ups of this process's waiters on it. */
  readonly #waiters = new Map<string, Set<() => void>>();
  #subscribed: Promise<boolean> | undefined;

  constructor(options: RedisTokenStoreOptions) {
    super();
    if (!isRedisEvalClient(options?.client)) {
      throw new InvalidInputError(
        "client must be a RedisEvalClient: fromNodeRedis(client), fromIoredis(client), or an object with evalsha and eval",
        { operation: "store" },
      );
    }
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    checkPrefix(prefix);
    this.#client = options.client;
    this.#prefix = prefix;
    this.#subscriber = options.subscriber;
    this.#dueIndex = options.dueIndex === false ? undefined : dueIndexKey(prefix);
  }

  async listDue(query: DueQuery): Promise<DuePage> {
    if (this.#dueIndex === undefined) {
      throw new UnsupportedOperationError("this Redis token store keeps no due index (dueIndex: false)", {
        operation: "store",
      });
    }
    const { prefix, before, limit, after } = checkDueQuery(query);
    const reply = await this.#run(
      "listDue",
      [this.#dueIndex],
      [
        String(before),
        prefix,
        after === undefined ? "" : String(after.refreshDueAt),
        after?.key ?? "",
        String(limit),
        String(Math.max(LIST_DUE_SCAN, limit)),
      ],
    );
    if (reply[0] !== "ok") throw malformed();
    const grants = [];
    for (let i = 3; i < reply.length; i += 2) {
      const key = text(reply[i]);
      const refreshDueAt = parseCount(reply[i + 1]);
      if (key === undefined || refreshDueAt === undefined) throw malformed();
      grants.push({ key, refreshDueAt });
    }
    const nextKey = text(reply[2]);
    const nextScore = parseCount(reply[1]);
    const next =
      nextKey !== undefined && nextScore !== undefined && text(reply[1]) !== ""
        ? { refreshDueAt: nextScore, key: nextKey }
        : undefined;
    return { grants, next };
  }

  /**
   * Resolves when another process writes `key` (its script published the new version) or after
   * `timeoutMs`; at once a timeout without a subscriber. A version already past `version` is the
   * caller's to notice on its next read.
   */
  override async waitForChange(key: string, _version: number, timeoutMs: number): Promise<void> {
    const channel = `${redisKeys(key, this.#prefix).record}:changed`;
    if (!this.#subscriber || !(await this.#subscribe())) return sleep(timeoutMs);
    await new Promise<void>((resolve) => {
      const wakeUps = this.#waiters.get(channel) ?? new Set<() => void>();
      this.#waiters.set(channel, wakeUps);
      const wake = () => {
        clearTimeout(timer);
        wakeUps.delete(wake);
        if (wakeUps.size === 0) this.#waiters.delete(channel);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      wakeUps.add(wake);
    });
  }

  /** One pattern subscription for the whole prefix, made on first use; `false` if it failed (then: poll). */
  #subscribe(): Promise<boolean> {
    this.#subscribed ??= (this.#subscriber as RedisSubscriber)
      .pSubscribe(`${globEscape(this.#prefix)}*:changed`, (_message, channel) => {
        for (const wake of [...(this.#waiters.get(channel) ?? [])]) wake();
      })
      .then(
        () => true,
        () => {
          this.#subscribed = undefined;
          return false;
        },
      );
    return this.#subscribed;
  }

  async read(key: string): Promise<VersionedRecord> {
    const keys = redisKeys(key, this.#prefix);
    const reply = await this.#run("read", [keys.record], []);
    if (reply[0] !== "ok") throw malformed();
    const version = parseCount(reply[1]);
    if (version === undefined) throw malformed();
    if (reply.length === 2) return { token: undefined, version };
    const token = parseRecord(reply[2]);
    if (token === undefined || version === 0) throw malformed();
    return { token, version };
  }

  async compareAndSet(key: string, token: TokenData, condition: WriteCondition): Promise<WriteResult> {
    return this.#write("compareAndSet", key, recordToJson(token), condition, token.refreshDueAt);
  }

  async compareAndDelete(key: string, condition: WriteCondition): Promise<WriteResult> {
    return this.#write("compareAndDelete", key, undefined, condition, undefined);
  }

  async acquireLease(key: string, owner: string, ttlMs: number): Promise<number | undefined> {
    const keys = redisKeys(key, this.#prefix);
    checkOwner(owner);
    const ttl = checkTtl(ttlMs);
    const reply = await this.#run("acquireLease", [keys.record, keys.lease], [owner, ttl]);
    if (reply[0] === "held") return undefined;
    if (reply[0] !== "ok") throw malformed();
    return parseCount(reply[1]) ?? throwMalformed();
  }

  async renewLease(key: string, owner: string, fence: number, ttlMs: number): Promise<boolean> {
    const keys = redisKeys(key, this.#prefix);
    checkOwner(owner);
    checkCount(fence, "fence");
    const ttl = checkTtl(ttlMs);
    const reply = await this.#run("renewLease", [keys.record, keys.lease], [owner, String(fence), ttl]);
    return leaseAnswer(reply);
  }

  async releaseLease(key: string, owner: string, fence: number): Promise<void> {
    const keys = redisKeys(key, this.#prefix);
    checkOwner(owner);
    checkCount(fence, "fence");
    leaseAnswer(await this.#run("releaseLease", [keys.record, keys.lease], [owner, String(fence)]));
  }

  async #write(
    operation: string,
    key: string,
    json: string | undefined,
    condition: WriteCondition,
    refreshDueAt: number | undefined,
  ): Promise<WriteResult> {
    const keys = redisKeys(key, this.#prefix);
    const version = condition?.version;
    const fence = condition?.fence;
    if (version !== undefined) checkCount(version, "condition.version");
    if (fence !== undefined) checkCount(fence, "condition.fence");
    // The record's own due time (whole ms), kept in the due index by the same script.
    const due = Number.isFinite(refreshDueAt) ? Math.floor(refreshDueAt as number) : undefined;
    const reply = await this.#run(
      operation,
      this.#dueIndex === undefined ? [keys.record] : [keys.record, this.#dueIndex],
      [
        json === undefined ? "delete" : "set",
        json ?? "",
        version === undefined ? "" : String(version),
        fence === undefined ? "" : String(fence),
        due === undefined ? "" : String(due),
        key,
      ],
      "write",
    );
    if (reply[0] === "ok") return { ok: true, version: parseCount(reply[1]) ?? throwMalformed() };
    if (reply[0] === "version" || reply[0] === "fence") return { ok: false, conflict: reply[0] };
    throw malformed();
  }

  /**
   * Runs a script by its SHA1, loading it with `EVAL` when the server does not have it (`NOSCRIPT`:
   * after a restart, a `SCRIPT FLUSH`, or on a cluster node that never saw it). Resolves the reply
   * as an array whose first element is the script's status.
   */
  async #run(
    operation: string,
    keys: string[],
    args: string[],
    script: ScriptName = operation as ScriptName,
  ): Promise<unknown[]> {
    let reply: unknown;
    try {
      try {
        reply = await this.#client.evalsha(await sha1Of(script), keys, args);
      } catch (error) {
        if (classify(error).code !== "NOSCRIPT") throw error;
        reply = await this.#client.eval(SCRIPTS[script], keys, args);
      }
    } catch (error) {
      const classified = classify(error);
      // The scripts check every key's type first; a WRONGTYPE can only come from a key changed under
      // a script of another client version: the key is not ours.
      if (classified.code === "WRONGTYPE") throw malformed();
      throw storeError(operation, error, classified);
    }
    if (!Array.isArray(reply) || reply.length === 0) {
      throw new StoreError(
        `Redis token store: ${operation} failed: the client answered with no script reply`,
        { retryable: false },
      );
    }
    const status = text(reply[0]);
    if (status === "foreign") throw malformed();
    return [status, ...reply.slice(1)];
  }
}

const digests = new Map<ScriptName, Promise<string>>();

/** A script's SHA1 (hex), as `EVALSHA` names it; computed once per script with Web Crypto. */
function sha1Of(script: ScriptName): Promise<string> {
  let digest = digests.get(script);
  if (digest === undefined) {
    digest = crypto.subtle
      .digest("SHA-1", new TextEncoder().encode(SCRIPTS[script]))
      .then((buffer) =>
        [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join(""),
      );
    digests.set(script, digest);
  }
  return digest;
}

/** A reply's bulk string (a client may answer Buffers); anything else is `undefined`. */
function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder("utf-8", { fatal: false }).decode(value);
  return undefined;
}

function leaseAnswer(reply: unknown[]): boolean {
  if (reply[0] === "ok") return true;
  if (reply[0] === "lost") return false;
  throw malformed();
}

/** A stored record (a reply's text): the token, or `undefined` for anything that is no token record. */
function parseRecord(value: unknown): TokenData | undefined {
  const json = text(value);
  return json === undefined ? undefined : recordFromJson(json);
}

/** An integer reply (or its text, a Buffer included) as a non-negative safe integer, else `undefined`. */
function parseCount(value: unknown): number | undefined {
  return countOf(value instanceof Uint8Array ? text(value) : value);
}

function malformed(): InvalidInputError {
  return new InvalidInputError(
    "a Redis key holds a value this store did not write (another type, other fields, a record that is no token object, or a lease without TTL); it was left as it is",
    { operation: "store" },
  );
}

function throwMalformed(): never {
  throw malformed();
}

function checkKey(key: unknown): void {
  if (typeof key !== "string" || key.length === 0) {
    throw new InvalidInputError("key must be a non-empty string", { operation: "store" });
  }
}

function checkPrefix(prefix: unknown): void {
  if (typeof prefix !== "string" || prefix.includes("{") || prefix.includes("}")) {
    throw new InvalidInputError("prefix must be a string without { or }", { operation: "store" });
  }
}

function checkOwner(owner: unknown): void {
  if (typeof owner !== "string" || owner.length === 0) {
    throw new InvalidInputError("owner must be a non-empty string", { operation: "store" });
  }
}

/** Versions and fences: non-negative safe integers (Redis counts them exactly up to 15 digits). */
function checkCount(value: unknown, name: string): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) >= 1e15) {
    throw new InvalidInputError(`${name} must be a non-negative safe integer`, { operation: "store" });
  }
}

/** A TTL in whole ms for `PX` (rounded up). */
function checkTtl(ttlMs: unknown): string {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
    throw new InvalidInputError(`ttlMs must be a number of ms above 0 and at most ${MAX_TTL_MS}`, {
      operation: "store",
    });
  }
  return String(Math.ceil(ttlMs));
}

/** A prefix as a literal inside a Redis glob pattern. */
function globEscape(text: string): string {
  return text.replace(/[\\*?[\]]/g, "\\$&");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
