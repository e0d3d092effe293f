import { type DueIndex, type DuePage, type DueQuery, hasDueIndex } from "./due-index.js";
import { InvalidInputError, TokenDecryptionError } from "./errors.js";
import {
  isSharedTokenStore,
  type SharedTokenStore,
  SharedTokenStoreBase,
  type VersionedRecord,
  type WriteCondition,
  type WriteResult,
} from "./shared-store.js";
import type { TokenStore } from "./store.js";
import type { TokenData } from "./token.js";

/** One key of the ring: an id stored with every value it encrypts, and 32 bytes (or an AES-GCM CryptoKey). */
export interface EncryptionKey {
  /** Names the key in every envelope: 1–64 of `A–Z a–z 0–9 . _ -`. Never reuse an id for other key bytes. */
  id: string;
  /** 32 random bytes, or a non-extractable AES-GCM 256 `CryptoKey` with encrypt and decrypt usages. */
  key: Uint8Array | CryptoKey;
}

export interface EncryptedStoreOptions {
  /**
   * The key ring, newest first: writes encrypt with the first key, reads decrypt with whichever key
   * the envelope names. To rotate, put a new key first and keep the old ones until every record was
   * written again (each refresh or reconnect rewrites its record under the newest key).
   */
  keys: readonly EncryptionKey[];
}

/** The envelope: `poe1.<key id>.<iv, base64url>.<ciphertext and tag, base64url>`. */
const VERSION = "poe1";
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** The fields that hold secrets; everything else a store needs to coordinate stays readable. */
type SecretField = "accessToken" | "refreshToken" | "raw";

/**
 * Wraps a token store so that every secret of a record is encrypted at rest with AES-256-GCM (Web
 * Crypto: Node, Deno, Bun, workers): the access token, the refresh token and the provider's raw
 * response each get an envelope with the key id and a fresh random 96-bit IV. The additional
 * authenticated data binds each envelope to its store key and field, so a value copied to another
 * account or field fails to decrypt. Token type, expiry, scopes and subject stay in the clear, and
 * so do the store's versions, leases and fences: the shared-store contract passes through untouched.
 *
 * A value that fails to decrypt (tampered, copied, under a key no longer in the ring, or plaintext
 * where an envelope belongs) throws `TokenDecryptionError` naming the key id, never the key, and
 * nothing is deleted.
 */
export function encryptedStore(
  store: SharedTokenStore & DueIndex,
  options: EncryptedStoreOptions,
): SharedTokenStore & DueIndex;
export function encryptedStore(store: SharedTokenStore, options: EncryptedStoreOptions): SharedTokenStore;
export function encryptedStore(store: TokenStore, options: EncryptedStoreOptions): TokenStore;
export function encryptedStore(store: TokenStore, options: EncryptedStoreOptions): TokenStore {
  const ring = new KeyRing(options?.keys);
  if (isSharedTokenStore(store)) return new EncryptedSharedStore(store, ring);
  return {
    get: async (key) => {
      const token = await store.get(key);
      return token === undefined || token === null ? undefined : ring.open(key, token);
    },
    set: async (key, token) => store.set(key, await ring.seal(key, token)),
    delete: (key) => store.delete(key),
  };
}

class EncryptedSharedStore extends SharedTokenStoreBase implements Partial<DueIndex> {
  readonly #store: SharedTokenStore;
  readonly #ring: KeyRing;
  /** The inner store's due index, when it has one: `refreshDueAt` is never encrypted. */
  readonly listDue?: (query: DueQuery) => Promise<DuePage>;

  constructor(store: SharedTokenStore, ring: KeyRing) {
    super();
    this.#store = store;
    this.#ring = ring;
    if (hasDueIndex(store)) this.listDue = (query) => store.listDue(query);
  }

  async read(key: string): Promise<VersionedRecord> {
    const record = await this.#store.read(key);
    if (record.token === undefined || record.token === null) return record;
    return { token: await this.#ring.open(key, record.token), version: record.version };
  }

  async compareAndSet(key: string, token: TokenData, condition: WriteCondition): Promise<WriteResult> {
    return this.#store.compareAndSet(key, await this.#ring.seal(key, token), condition);
  }

  compareAndDelete(key: string, condition: WriteCondition): Promise<WriteResult> {
    return this.#store.compareAndDelete(key, condition);
  }

  acquireLease(key: string, owner: string, ttlMs: number): Promise<number | undefined> {
    return this.#store.acquireLease(key, owner, ttlMs);
  }

  renewLease(key: string, owner: string, fence: number, ttlMs: number): Promise<boolean> {
    return this.#store.renewLease(key, owner, fence, ttlMs);
  }

  releaseLease(key: string, owner: string, fence: number): Promise<void> {
    return this.#store.releaseLease(key, owner, fence);
  }

  override waitForChange(key: string, version: number, timeoutMs: number): Promise<void> {
    if (this.#store.waitForChange) return this.#store.waitForChange(key, version, timeoutMs);
    return new Promise((resolve) => setTimeout(resolve, timeoutMs));
  }
}

/** The keys, checked at construction and imported into Web Crypto on first use. */
class KeyRing {
  readonly #ids: string[];
  readonly #keys: Map<string, Promise<CryptoKey>>;

  constructor(keys: readonly EncryptionKey[] | undefined) {
    const meta = { operation: "store" as const };
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new InvalidInputError("encryptedStore needs at least one key", meta);
    }
    this.#ids = [];
    this.#keys = new Map();
    for (const entry of keys) {
      const id = entry?.id;
      if (typeof id !== "string" || !KEY_ID.test(id)) {
        throw new InvalidInputError("an encryption key id must be 1-64 of A-Z a-z 0-9 . _ -", meta);
      }
      if (this.#keys.has(id)) throw new InvalidInputError(`encryption key id ${id} is listed twice`, meta);
      this.#ids.push(id);
      this.#keys.set(id, importKey(entry.key, id));
      // An import that fails is reported when the key is used; until then it must not be unhandled.
      this.#keys.get(id)?.catch(() => {});
    }
  }

  /** The record with its secrets replaced by envelopes under the newest key. */
  async seal(storeKey: string, token: TokenData): Promise<TokenData> {
    const id = this.#ids[0] as string;
    const key = await (this.#keys.get(id) as Promise<CryptoKey>);
    // The fields in parallel: Web Crypto runs off the main thread, so their round trips overlap.
    const [accessToken, raw, refreshToken] = await Promise.all([
      encrypt(key, id, storeKey, "accessToken", token.accessToken),
      encrypt(key, id, storeKey, "raw", JSON.stringify(token.raw ?? null)),
      token.refreshToken === undefined
        ? undefined
        : encrypt(key, id, storeKey, "refreshToken", token.refreshToken),
    ]);
    const sealed: TokenData = { ...token, accessToken, raw };
    if (refreshToken !== undefined) sealed.refreshToken = refreshToken;
    return sealed;
  }

  /** The record with its envelopes opened; a value that does not open throws, naming its key id. */
  async open(storeKey: string, sealed: TokenData): Promise<TokenData> {
    const [accessToken, raw, refreshToken] = await Promise.all([
      this.#decrypt(storeKey, "accessToken", sealed.accessToken),
      this.#decrypt(storeKey, "raw", sealed.raw),
      sealed.refreshToken === undefined
        ? undefined
        : this.#decrypt(storeKey, "refreshToken", sealed.refreshToken),
    ]);
    const token: TokenData = { ...sealed, accessToken, raw: JSON.parse(raw) };
    if (refreshToken !== undefined) token.refreshToken = refreshToken;
    return token;
  }

  async #decrypt(storeKey: string, field: SecretField, value: unknown): Promise<string> {
    const parts = typeof value === "string" ? value.split(".") : [];
    if (parts.length !== 4 || parts[0] !== VERSION) {
      throw new TokenDecryptionError(`the stored ${field} is not an encrypted value`, { field });
    }
    const [, keyId, iv, sealed] = parts as [string, string, string, string];
    const key = this.#keys.get(keyId);
    if (!KEY_ID.test(keyId) || key === undefined) {
      throw new TokenDecryptionError(`the stored ${field} is encrypted under a key not in the ring`, {
        field,
        keyId: KEY_ID.test(keyId) ? keyId : undefined,
      });
    }
    try {
      const ivBytes = fromBase64Url(iv);
      if (ivBytes.length !== 12) throw new Error("bad iv");
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: ivBytes, additionalData: aad(storeKey, field, keyId) },
        await key,
        fromBase64Url(sealed),
      );
      return new TextDecoder("utf-8", { fatal: true }).decode(plain);
    } catch (error) {
      if (error instanceof TokenDecryptionError || error instanceof InvalidInputError) throw error;
      throw new TokenDecryptionError(
        `the stored ${field} does not decrypt with key ${keyId}: tampered, copied from another record, or another key under this id`,
        { field, keyId },
      );
    }
  }
}

async function encrypt(
  key: CryptoKey,
  keyId: string,
  storeKey: string,
  field: SecretField,
  plaintext: string,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(storeKey, field, keyId) },
    key,
    new TextEncoder().encode(plaintext),
  );
  return `${VERSION}.${keyId}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** Binds an envelope to its format, store key, field and key id: moved anywhere else, it fails to open. */
function aad(storeKey: string, field: SecretField, keyId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify([VERSION, storeKey, field, keyId]));
}

function importKey(key: Uint8Array | CryptoKey, id: string): Promise<CryptoKey> {
  const meta = { operation: "store" as const };
  if (key instanceof Uint8Array) {
    if (key.length !== 32) {
      throw new InvalidInputError(`encryption key ${id} must be 32 bytes (AES-256), got ${key.length}`, meta);
    }
    // A copy: the caller's buffer may be reused or zeroed after construction.
    return crypto.subtle.importKey("raw", new Uint8Array(key), "AES-GCM", false, ["encrypt", "decrypt"]);
  }
  const algorithm = (key as { algorithm?: { name?: unknown; length?: unknown } } | undefined)?.algorithm;
  const usages = (key as { usages?: unknown } | undefined)?.usages;
  if (
    algorithm?.name !== "AES-GCM" ||
    algorithm.length !== 256 ||
    !Array.isArray(usages) ||
    !usages.includes("encrypt") ||
    !usages.includes("decrypt")
  ) {
    throw new InvalidInputError(
      `encryption key ${id} must be 32 bytes or an AES-GCM 256 CryptoKey for encrypt and decrypt`,
      meta,
    );
  }
  return Promise.resolve(key as CryptoKey);
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
