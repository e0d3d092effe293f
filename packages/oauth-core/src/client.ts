import { type CallbackInput, verifyCallback } from "./callback.js";
import {
  InvalidInputError,
  type OAuthOperation,
  ReauthorizationRequiredError,
  TokenNotFoundError,
  UnsupportedOperationError,
} from "./errors.js";
import { coordinateLocally } from "./local-coordination.js";
import { createPkcePair } from "./pkce.js";
import type {
  AnyProvider,
  AuthorizeOptionsOf,
  ClientCredentialsCapability,
  IntrospectCapability,
  RawOf,
  RefreshCapability,
  RevocationNoticeCapability,
  RevokeCapability,
  TokenTypeOf,
} from "./provider.js";
import { withRefreshDue } from "./refresh-due.js";
import type { RefreshOperations } from "./refreshing.js";
import {
  type CallOptions,
  checkCallOptions,
  DEFAULT_TIMEOUT_MS,
  type RequestContext,
  withRequestContext,
} from "./request-context.js";
import type { ApplyRevocationOptions, RevocationMethods, RevocationNotice } from "./revocation.js";
import { isSharedTokenStore, type SharedTokenStore, type VersionedRecord } from "./shared-store.js";
import { SingleFlight } from "./single-flight.js";
import { createState } from "./state.js";
import { storeKey, type TokenKey, type TokenStore } from "./store.js";
import type { SweepOptions, SweepReport } from "./sweep.js";
import { isTokenData, type Token, type TokenData, toToken, toTokenData } from "./token.js";
import { waitFor } from "./wait-for.js";

/**
 * Default refresh skew: a token is refreshed when it has 60 s or less to live. golang.org/x/oauth2 uses
 * 10 s, which a slow request, a queued retry of the caller or a few seconds of clock drift between
 * hosts can eat; 60 s costs at most one minute of a 30-minute-plus token.
 */
export const DEFAULT_REFRESH_SKEW_MS = 60_000;

/** How long a refreshed token's write may be retried while the store fails. */
export const DEFAULT_WRITE_BUDGET_MS = 5_000;

export type TokenUpdateReason =
  | "exchange"
  | "refresh"
  | "client_credentials"
  | "revoke"
  | "invalidated"
  | "provider_revoked";

export interface TokenUpdateEvent<TRaw = unknown> {
  key: TokenKey;
  reason: TokenUpdateReason;
  /** The new token, or `undefined` when it was removed. */
  token: Token<TRaw> | undefined;
}

export interface RefreshErrorEvent {
  key: TokenKey;
  error: Error;
  /** Whether the grant was removed from the store (the provider rejected the refresh token). */
  grantRemoved: boolean;
}

export interface UnpersistedTokenEvent<TRaw = unknown> {
  key: TokenKey;
  /** The token the provider issued. With a single-use refresh token it may be the only live grant. */
  token: Token<TRaw>;
  /** Why it is not in the store; the same error reaches the callers. */
  error: Error;
}

export interface OAuthClientOptions<TRaw = unknown> {
  /**
   * Where tokens live. A `SharedTokenStore` (`MemoryTokenStore`, `@partner-oauth/store-postgres`)
   * coordinates refreshes across clients and processes; a plain get/set/delete store is coordinated
   * within this process only: never share one between processes whose provider rotates refresh tokens.
   */
  store: TokenStore;
  /** Epoch ms clock, injectable for tests. */
  now?: () => number;
  /** Refresh tokens this long before they expire. Default 60 s. */
  refreshSkewMs?: number;
  /** Per-request timeout in ms. Default 10 s. */
  timeoutMs?: number;
  /** How long a refreshed token's write is retried while the store fails. Default 5 s. */
  writeBudgetMs?: number;
  /**
   * The refresh lease's time to live: longer than `timeoutMs + writeBudgetMs`, since a holder still
   * working must not lose it. Default `timeoutMs + writeBudgetMs + 5 s`; renewed while the holder works.
   */
  leaseTtlMs?: number;
  /** Called after every store write or delete the client makes; awaited, its errors propagate. */
  onTokenUpdate?: (event: TokenUpdateEvent<TRaw>) => void | Promise<void>;
  /** Called when a refresh fails, before the error reaches the callers. */
  onRefreshError?: (event: RefreshErrorEvent) => void | Promise<void>;
  /**
   * Called with a token the provider issued but the store did not take (it kept failing, or the
   * record was removed meanwhile), before the error reaches the callers: keep it somewhere to rescue
   * a grant whose single-use refresh token was already spent.
   */
  onUnpersistedToken?: (event: UnpersistedTokenEvent<TRaw>) => void | Promise<void>;
}

export interface AuthorizeResult {
  url: URL;
  /** Keep it (session, signed cookie) and pass it to handleCallback as `expectedState`. */
  state: string;
  /** Present when the provider uses PKCE: keep it next to the state. */
  codeVerifier?: string | undefined;
}

export interface CallbackOptions extends CallOptions {
  expectedState: string;
  codeVerifier?: string | undefined;
  /** Your id for the merchant; the token is stored under it. */
  account: string;
}

export interface ExchangeOptions extends CallOptions {
  codeVerifier?: string | undefined;
  account: string;
  /** Further callback parameters some providers need (Braintree's `merchantId`). */
  callbackParams?: URLSearchParams | undefined;
}

export interface SlotOptions<TTokenType extends string> extends CallOptions {
  /** Which token of the account; defaults to the provider's code-flow token type. */
  tokenType?: TTokenType | undefined;
}

/** The methods every facade has, whatever the provider. */
export interface BaseClient<P extends AnyProvider> {
  readonly provider: P;
  /** Builds the authorization URL with a fresh state (and PKCE pair where supported). */
  authorize(options: AuthorizeOptionsOf<P>): Promise<AuthorizeResult>;
  /** Verifies the redirect (state, error), exchanges the code and stores the token under `account`. */
  handleCallback(callback: CallbackInput, options: CallbackOptions): Promise<Token<RawOf<P>>>;
  /** Exchanges a code you already verified and stores the token under `account`. */
  exchange(code: string, options: ExchangeOptions): Promise<Token<RawOf<P>>>;
  /** The stored token, refreshed first when it expires within the skew (one refresh per key at a time). */
  getToken(account: string, options?: SlotOptions<TokenTypeOf<P>>): Promise<Token<RawOf<P>>>;
  /** Removes a token from the store without telling the provider. */
  forget(account: string, options?: SlotOptions<TokenTypeOf<P>>): Promise<void>;
}

export interface RefreshMethods<P extends AnyProvider> {
  /**
   * Refreshes now. With `ifAccessToken`, refreshes only if the stored access token is still that one
   * (a 401 from an API proves only that token is dead: callers racing on it share one refresh).
   */
  refresh(
    account: string,
    options?: SlotOptions<TokenTypeOf<P>> & { ifAccessToken?: string | undefined },
  ): Promise<Token<RawOf<P>>>;
  /**
   * Refreshes the grants due before `options.before` (default now) so their refresh tokens do not
   * die of disuse: each under its lease, skipping what another process refreshes or holds. Needs a
   * store with a due index (`MemoryTokenStore` and the PostgreSQL, Redis and SQLite stores).
   */
  sweep(options?: SweepOptions): Promise<SweepReport>;
}

export interface RevokeMethods<P extends AnyProvider> {
  /** Revokes at the provider, then deletes the stored token. A grant already gone counts as revoked. */
  revoke(account: string, options?: SlotOptions<TokenTypeOf<P>>): Promise<void>;
}

export interface IntrospectMethods<P extends AnyProvider, TIntrospection> {
  /** Asks the provider about the stored token. */
  introspect(account: string, options?: SlotOptions<TokenTypeOf<P>>): Promise<TIntrospection>;
}

export interface ClientCredentialsMethods<TTokenType extends string, TScope extends string, TRaw> {
  /** An app token for `tokenType`, cached in the store and fetched again only when it expires. */
  clientCredentials(
    options: { tokenType: TTokenType; scopes: readonly TScope[] } & CallOptions,
  ): Promise<Token<TRaw>>;
}

// biome-ignore lint/complexity/noBannedTypes: `{}` adds nothing to an intersection, which is the point.
type Empty = {};

/** The facade's type: the base methods plus exactly the capabilities the provider has. */
export type OAuthClient<P extends AnyProvider> = BaseClient<P> &
  (P extends RefreshCapability<RawOf<P>> ? RefreshMethods<P> : Empty) &
  (P extends RevokeCapability<RawOf<P>> ? RevokeMethods<P> : Empty) &
  (P extends RevocationNoticeCapability ? RevocationMethods : Empty) &
  (P extends IntrospectCapability<RawOf<P>, infer I> ? IntrospectMethods<P, I> : Empty) &
  (P extends ClientCredentialsCapability<infer T, infer S, RawOf<P>>
    ? ClientCredentialsMethods<T, S, RawOf<P>>
    : Empty);

/** Creates the token-lifecycle facade over one provider adapter. */
export function createOAuthClient<P extends AnyProvider>(
  provider: P,
  options: OAuthClientOptions<RawOf<P>>,
): OAuthClient<P> {
  const client = new LifecycleClient(provider, options as OAuthClientOptions<Raw>);
  // At run time exactly the methods the type offers: `"refresh" in gocardlessClient` is false.
  const facade: Record<string, unknown> = { provider: client.provider };
  const methods = ["authorize", "handleCallback", "exchange", "getToken", "forget"] as const;
  for (const method of methods) facade[method] = client[method].bind(client);
  const has = (capability: string) =>
    typeof (provider as unknown as Record<string, unknown>)[capability] === "function";
  if (has("refreshToken")) {
    facade.refresh = client.refresh.bind(client);
    facade.sweep = client.sweep.bind(client);
  }
  if (has("revokeToken")) facade.revoke = client.revoke.bind(client);
  if (has("introspectToken")) facade.introspect = client.introspect.bind(client);
  if (has("clientCredentials")) facade.clientCredentials = client.clientCredentials.bind(client);
  if ((provider as Partial<RevocationNoticeCapability>).revocationNotices !== undefined) {
    facade.applyRevocation = client.applyRevocation.bind(client);
  }
  return Object.freeze(facade) as unknown as OAuthClient<P>;
}

type Raw = unknown;

/** A UTF-16 surrogate without its pair: no valid text, and `encodeURIComponent` throws on it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class LifecycleClient {
  readonly provider: AnyProvider;
  readonly #store: SharedTokenStore;
  readonly #now: () => number;
  readonly #skewMs: number;
  readonly #timeoutMs: number;
  readonly #options: OAuthClientOptions<Raw>;
  readonly #flights = new SingleFlight();
  /** The refresh machinery the adapter brought, when it refreshes. */
  readonly #refresher: RefreshOperations | undefined;
  /** Client-credentials request (type and scopes) → the access token last issued for it. */
  readonly #issuedFor = new Map<string, string>();

  constructor(provider: AnyProvider, options: OAuthClientOptions<Raw>) {
    if (!options?.store) throw new InvalidInputError("a token store is required", { operation: "request" });
    this.provider = provider;
    this.#options = options;
    this.#store = isSharedTokenStore(options.store) ? options.store : coordinateLocally(options.store);
    this.#now = options.now ?? Date.now;
    this.#skewMs = nonNegative(options.refreshSkewMs, DEFAULT_REFRESH_SKEW_MS, "refreshSkewMs");
    checkCallOptions({ timeoutMs: options.timeoutMs }, { operation: "request" });
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const writeBudgetMs = nonNegative(options.writeBudgetMs, DEFAULT_WRITE_BUDGET_MS, "writeBudgetMs");
    // Whole milliseconds: stores pass it on as such (Redis PX).
    const leaseTtlMs = Math.ceil(options.leaseTtlMs ?? this.#timeoutMs + writeBudgetMs + 5_000);
    if (!(leaseTtlMs > this.#timeoutMs + writeBudgetMs) || !Number.isFinite(leaseTtlMs)) {
      throw new InvalidInputError("leaseTtlMs must be longer than timeoutMs + writeBudgetMs", {
        operation: "request",
      });
    }
    // The machinery an adapter brings with its capabilities (refreshing.ts, revocation.ts).
    const { refreshToken, refreshing, revocationNotices } = provider as Partial<
      RefreshCapability & RevocationNoticeCapability
    >;
    const missing = (field: string) =>
      new InvalidInputError(
        `adapter's ${field} is missing or not the core's: import { ${field} } from "@partner-oauth/core"`,
        {
          provider: provider.id,
          operation: "request",
        },
      );
    if (typeof refreshToken === "function" && typeof refreshing?.Refresher !== "function") {
      throw missing("refreshing");
    }
    if (revocationNotices !== undefined && typeof revocationNotices?.applyRevocation !== "function") {
      throw missing("revocationNotices");
    }
    this.#refresher =
      typeof refreshToken === "function" && refreshing
        ? new refreshing.Refresher({
            store: this.#store,
            index: options.store,
            provider: provider as AnyProvider & RefreshCapability,
            now: this.#now,
            expiring: (token) => this.#expiring(token),
            stamp: (record) => this.#stamp(record),
            read: (key) => this.#readVersioned(key, "refresh"),
            readToken: (key) => this.#read(key, "refresh"),
            call: (signal, run) => this.#call("refresh", { signal }, run),
            hooks: options,
            leaseTtlMs,
            writeBudgetMs,
            timeoutMs: this.#timeoutMs,
          })
        : undefined;
  }

  async authorize(options: unknown): Promise<AuthorizeResult> {
    const state = createState(this.provider.stateSuffix?.(options));
    const pkce = this.provider.pkce === "S256" ? await createPkcePair() : undefined;
    const url = this.provider.authorizationUrl({ state, codeChallenge: pkce?.codeChallenge, options });
    return { url, state, codeVerifier: pkce?.codeVerifier };
  }

  async handleCallback(callback: CallbackInput, options: CallbackOptions): Promise<Token<Raw>> {
    const { code, params } = verifyCallback(this.provider.id, callback, options?.expectedState, {
      issuer: this.provider.issuer,
      required: this.provider.authorizationResponseIssParameterSupported === true,
    });
    return this.exchange(code, { ...options, callbackParams: params });
  }

  async exchange(code: string, options: ExchangeOptions): Promise<Token<Raw>> {
    const key = this.#key(options?.account, undefined, "exchange");
    if (typeof code !== "string" || code.length === 0) {
      throw new InvalidInputError("authorization code is empty", this.#meta("exchange"));
    }
    if (this.provider.pkce === "S256" && !options.codeVerifier) {
      throw new InvalidInputError(
        "codeVerifier is required: pass the one returned by authorize()",
        this.#meta("exchange"),
      );
    }
    const data = await this.#call("exchange", options, (ctx) => {
      ctx.secrets.push(code, ...(options.codeVerifier ? [options.codeVerifier] : []));
      return this.provider.exchangeCode(
        {
          code,
          codeVerifier: options.codeVerifier,
          callbackParams: options.callbackParams ?? new URLSearchParams(),
        },
        ctx,
      );
    });
    return this.#save(key, data, "exchange");
  }

  async getToken(account: string, options?: SlotOptions<string>): Promise<Token<Raw>> {
    const key = this.#key(account, options?.tokenType, "get_token");
    const stored = await this.#load(key, "get_token");
    if (!this.#expiring(stored)) return toToken(stored);
    if (!this.#refresher) {
      // Nothing can renew it: hand it out while it lives, then the merchant must connect again.
      if ((stored.expiresAt as number) > this.#now()) return toToken(stored);
      throw new ReauthorizationRequiredError("token expired and the provider has no refresh", {
        ...this.#meta("get_token"),
        account,
      });
    }
    return this.#refresher.refresh(key, options, undefined);
  }

  async refresh(
    account: string,
    options?: SlotOptions<string> & { ifAccessToken?: string },
  ): Promise<Token<Raw>> {
    const key = this.#key(account, options?.tokenType, "refresh");
    return this.#refreshing("refresh").refresh(key, options, options?.ifAccessToken ?? null);
  }

  async sweep(options?: SweepOptions): Promise<SweepReport> {
    return this.#refreshing("sweep").sweep(options);
  }

  async revoke(account: string, options?: SlotOptions<string>): Promise<void> {
    const provider = this.#capability<RevokeCapability>("revokeToken", "revoke");
    const key = this.#key(account, options?.tokenType, "revoke");
    let token: TokenData;
    try {
      // Some providers revoke with the access token itself, so it must be alive (TrueLayer).
      token = await this.getToken(account, options);
    } catch (error) {
      // The grant is dead (expired without refresh token, or the refresh token was rejected): there is
      // nothing left to revoke at the provider; make sure the store forgets it too.
      if (!(error instanceof ReauthorizationRequiredError)) throw error;
      const dead = await this.#readVersioned(key, "revoke");
      if (dead.token) await this.#remove(key, "revoke", dead.version);
      return;
    }
    const revoked = await this.#readVersioned(key, "revoke");
    await this.#call("revoke", options, (ctx) => {
      ctx.secrets.push(token.accessToken, ...(token.refreshToken ? [token.refreshToken] : []));
      return provider.revokeToken(token, ctx);
    });
    // Only the grant that was revoked: a reconnect that stored a new one meanwhile keeps it.
    if (revoked.token?.accessToken === token.accessToken) await this.#remove(key, "revoke", revoked.version);
  }

  async introspect(account: string, options?: SlotOptions<string>): Promise<unknown> {
    const provider = this.#capability<IntrospectCapability>("introspectToken", "introspect");
    const token = await this.getToken(account, options);
    return this.#call("introspect", options, (ctx) => {
      ctx.secrets.push(token.accessToken);
      return provider.introspectToken(token, ctx);
    });
  }

  async clientCredentials(
    options: { tokenType: string; scopes: readonly string[] } & CallOptions,
  ): Promise<Token<Raw>> {
    const provider = this.#capability<ClientCredentialsCapability>("clientCredentials", "client_credentials");
    if (!provider.clientCredentialsTokenTypes.includes(options?.tokenType)) {
      throw new InvalidInputError("unknown client-credentials token type", this.#meta("client_credentials"));
    }
    if (!Array.isArray(options.scopes) || options.scopes.some((s) => typeof s !== "string" || !s)) {
      throw new InvalidInputError(
        "scopes must be a list of non-empty strings",
        this.#meta("client_credentials"),
      );
    }
    checkCallOptions(options, this.#meta("client_credentials"));
    const key: TokenKey = { provider: this.provider.id, tokenType: options.tokenType, account: undefined };
    const id = storeKey(key);
    const request = `${id} ${[...new Set(options.scopes)].sort().join(" ")}`;
    // A token serves a request when it covers the scopes, or when the provider issued it for exactly
    // this request (it may grant fewer scopes than asked: asking again would only hammer it).
    const usable = (token: TokenData | undefined): token is TokenData =>
      token !== undefined &&
      !this.#expiring(token) &&
      (options.scopes.every((s) => token.scopes.includes(s)) ||
        this.#issuedFor.get(request) === token.accessToken);
    const cached = await this.#read(key, "client_credentials");
    if (usable(cached)) return toToken(cached);
    const flight = this.#flights.run(request, async () => {
      const again = await this.#read(key, "client_credentials");
      if (usable(again)) return toToken(again);
      const data = await this.#call("client_credentials", undefined, (ctx) =>
        provider.clientCredentials({ tokenType: options.tokenType, scopes: options.scopes }, ctx),
      );
      if (data.scopes.length === 0) data.scopes = [...options.scopes];
      const token = await this.#save(key, data, "client_credentials");
      this.#issuedFor.set(request, token.accessToken);
      return token;
    });
    return waitFor(flight, options, this.#meta("client_credentials"));
  }

  /** A verified revocation notice removes the grant: revocation.ts. */
  applyRevocation(notice: RevocationNotice, options: ApplyRevocationOptions) {
    const removed = async (key: TokenKey) =>
      this.#options.onTokenUpdate?.({ key, reason: "provider_revoked", token: undefined });
    const { revocationNotices } = this.provider as AnyProvider & RevocationNoticeCapability;
    return revocationNotices.applyRevocation(
      { store: this.#store, provider: this.provider, removed },
      notice,
      options,
    );
  }

  async forget(account: string, options?: SlotOptions<string>): Promise<void> {
    await this.#remove(this.#key(account, options?.tokenType, "get_token"), "invalidated");
  }

  /** Persists first, then tells the hook, then hands out: nobody gets a token the store does not have. */
  async #save(key: TokenKey, data: TokenData, reason: TokenUpdateReason): Promise<Token<Raw>> {
    const record = this.#stamp(toTokenData({ ...data, grantedAt: this.#now() }));
    // Unconditional: a new grant replaces whatever was there, and a refresh racing it loses its
    // compare-and-set.
    await this.#store.compareAndSet(storeKey(key), record, {});
    const token = toToken(record);
    await this.#options.onTokenUpdate?.({ key, reason, token });
    return token;
  }

  /** Deletes the record: the one at `version` when given (a newer grant stays), else whatever is there. */
  async #remove(key: TokenKey, reason: TokenUpdateReason, version?: number): Promise<void> {
    const result = await this.#store.compareAndDelete(storeKey(key), { version });
    if (result.ok) await this.#options.onTokenUpdate?.({ key, reason, token: undefined });
  }

  /** The stored record, checked: a store holding something else fails here, not in a caller's hands. */
  async #read(key: TokenKey, operation: OAuthOperation): Promise<TokenData | undefined> {
    return this.#checked(await this.#store.get(storeKey(key)), key.tokenType, operation);
  }

  async #readVersioned(key: TokenKey, operation: OAuthOperation): Promise<VersionedRecord> {
    const record = await this.#store.read(storeKey(key));
    return { token: this.#checked(record.token, key.tokenType, operation), version: record.version };
  }

  #checked(stored: unknown, tokenType: string, operation: OAuthOperation): TokenData | undefined {
    if (stored === undefined || stored === null) return undefined;
    if (isTokenData(stored)) return stored;
    throw new InvalidInputError(`the store holds no valid ${tokenType} token record for this key`, {
      ...this.#meta(operation),
    });
  }

  async #load(key: TokenKey, operation: OAuthOperation): Promise<TokenData> {
    const stored = await this.#read(key, operation);
    if (!stored)
      throw new TokenNotFoundError(
        `no ${key.tokenType} token stored for this account`,
        this.#meta(operation),
      );
    return stored;
  }

  /** The record as written now: with the `refreshDueAt` its provider's refresh-token life gives. */
  #stamp(record: TokenData): TokenData {
    return withRefreshDue(record, this.#now(), this.provider.refreshTokenLifetimeMs);
  }

  #expiring(token: TokenData): boolean {
    return token.expiresAt !== undefined && token.expiresAt - this.#skewMs <= this.#now();
  }

  #call<T>(
    operation: OAuthOperation,
    options: CallOptions | undefined,
    run: (ctx: RequestContext) => Promise<T>,
  ) {
    return withRequestContext(
      { provider: this.provider.id, operation, timeoutMs: this.#timeoutMs },
      options,
      run,
    );
  }

  #key(account: string | undefined, tokenType: string | undefined, operation: OAuthOperation): TokenKey {
    if (
      typeof account !== "string" ||
      account.length === 0 ||
      account.length > 512 ||
      LONE_SURROGATE.test(account)
    ) {
      // Checked before any request: a store key that cannot be built after an exchange orphans a grant.
      throw new InvalidInputError(
        "account must be a non-empty, well-formed string of at most 512 characters",
        this.#meta(operation),
      );
    }
    const type = tokenType ?? this.provider.codeFlowTokenType;
    if (typeof type !== "string" || type.length === 0) {
      throw new InvalidInputError("tokenType must be a non-empty string", this.#meta(operation));
    }
    return { provider: this.provider.id, tokenType: type, account };
  }

  #capability<T>(method: string, operation: OAuthOperation): T {
    if (typeof (this.provider as unknown as Record<string, unknown>)[method] !== "function") {
      throw new UnsupportedOperationError(
        `${this.provider.id} does not support ${operation}`,
        this.#meta(operation),
      );
    }
    return this.provider as unknown as T;
  }

  #refreshing(operation: OAuthOperation): RefreshOperations {
    this.#capability<RefreshCapability>("refreshToken", operation);
    return this.#refresher as RefreshOperations;
  }

  #meta(operation: OAuthOperation) {
    return { provider: this.provider.id, operation };
  }
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new InvalidInputError(`${name} must be a finite number >= 0`, { operation: "request" });
  return value;
}
