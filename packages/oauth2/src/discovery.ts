import { type CallOptions, DEFAULT_TIMEOUT_MS, withRequestContext } from "@partner-oauth/core";
import type { ClientOptions } from "openapi-fetch";
import { createOAuth2Client } from "./client.js";
import { DiscoveryError } from "./errors.js";
import { checkMetadata, isServerUrl, type OAuth2Metadata } from "./metadata.js";

/** Which well-known document to read; `auto` tries RFC 8414's first, then OpenID's on a 404. */
export type DiscoveryDocument = "oauth-authorization-server" | "openid-configuration" | "auto";

/**
 * Metadata documents are a few KiB (an OpenID provider's with every algorithm listed: about 10 KiB);
 * 64 KiB bounds what a hostile or broken server can make every process buffer at start.
 */
export const DEFAULT_MAX_METADATA_BYTES = 64 * 1024;

/** How long a discovered document is reused. */
export const DEFAULT_METADATA_MAX_AGE_MS = 60 * 60 * 1000;

export interface DiscoverOptions extends CallOptions {
  document?: DiscoveryDocument | undefined;
  fetch?: ClientOptions["fetch"];
  /** Default 64 KiB. */
  maxResponseBytes?: number | undefined;
  /** Where documents are cached; default one cache per process. `false` always fetches. */
  cache?: MetadataCache | false | undefined;
  /** Used in errors; default `"oauth2"`. */
  provider?: string | undefined;
}

/**
 * Discovered metadata by issuer and document kind, each kept for `maxAgeMs` and shared by concurrent
 * discoveries of the same issuer. A failed discovery is not kept. No timers: entries age by the clock.
 */
export class MetadataCache {
  readonly #entries = new Map<string, { until: number; metadata: Promise<OAuth2Metadata> }>();
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(options: { maxAgeMs?: number; now?: () => number } = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_METADATA_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The cached document for `key`, or the one `load` gives (then cached). */
  get(key: string, load: () => Promise<OAuth2Metadata>): Promise<OAuth2Metadata> {
    const now = this.#now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) return hit.metadata;
    const metadata = load();
    const entry = { until: now + this.#maxAgeMs, metadata };
    this.#entries.set(key, entry);
    metadata.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return metadata;
  }

  clear(): void {
    this.#entries.clear();
  }
}

// Pure: a program that never discovers (static metadata) does not bundle the cache.
const processCache = /* @__PURE__ */ new MetadataCache();

/**
 * Fetches an authorization server's metadata (RFC 8414, or OpenID Discovery) for `issuer`, with a
 * timeout and a size cap, checks it, and refuses a document that names another issuer.
 */
export function discoverMetadata(issuer: string, options: DiscoverOptions = {}): Promise<OAuth2Metadata> {
  const provider = options.provider ?? "oauth2";
  if (typeof issuer !== "string" || !isServerUrl(issuer, true)) {
    return Promise.reject(
      new DiscoveryError("invalid_metadata", "issuer must be an https URL without query or fragment", {
        provider,
      }),
    );
  }
  const document = options.document ?? "auto";
  const load = () => fetchMetadata(issuer, document, provider, options);
  if (options.cache === false) return load();
  return (options.cache ?? processCache).get(`${document} ${issuer}`, load);
}

async function fetchMetadata(
  issuer: string,
  document: DiscoveryDocument,
  provider: string,
  options: DiscoverOptions,
): Promise<OAuth2Metadata> {
  const client = createOAuth2Client({
    endpoints: {
      "/.well-known/oauth-authorization-server": wellKnownUrl(issuer, "oauth-authorization-server"),
      "/.well-known/openid-configuration": wellKnownUrl(issuer, "openid-configuration"),
    },
    fetch: options.fetch,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_METADATA_BYTES,
  });
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  const base = {
    provider,
    operation: "request" as const,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  // One deadline for both attempts: the fallback must not double the time a caller waits.
  return withRequestContext(base, call, async (ctx) => {
    const kinds =
      document === "auto" ? (["oauth-authorization-server", "openid-configuration"] as const) : [document];
    let lastStatus = 0;
    for (const kind of kinds) {
      const { data, response } =
        kind === "oauth-authorization-server"
          ? await client.GET("/.well-known/oauth-authorization-server", { signal: ctx.signal })
          : await client.GET("/.well-known/openid-configuration", { signal: ctx.signal });
      if (response.ok) return checkMetadata(data, provider, issuer);
      lastStatus = response.status;
      if (response.status !== 404 && response.status !== 410) break;
    }
    throw new DiscoveryError("not_found", `no metadata document for ${issuer} (HTTP ${lastStatus})`, {
      provider,
      status: lastStatus,
    });
  });
}

/**
 * RFC 8414 §3.1 inserts the well-known segment between host and path; OpenID Discovery §4 appends it
 * to the issuer. Both are the same for an issuer without a path.
 */
export function wellKnownUrl(
  issuer: string,
  kind: "oauth-authorization-server" | "openid-configuration",
): string {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, "");
  return kind === "oauth-authorization-server"
    ? `${url.origin}/.well-known/oauth-authorization-server${path}`
    : `${url.origin}${path}/.well-known/openid-configuration`;
}
