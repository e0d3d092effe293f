import { REDACTED } from "./redact.js";

/**
 * A token as the core stores it: plain, JSON-serializable data, normalized from any provider format.
 * `raw` keeps the provider's typed response for fields the model does not normalize.
 */
export interface TokenData<TRaw = unknown> {
  accessToken: string;
  /** As the provider spells it (`bearer`, `Bearer`); compare case-insensitively. */
  tokenType: string;
  refreshToken?: string | undefined;
  /** Epoch milliseconds; absent when the token does not expire (GoCardless). */
  expiresAt?: number | undefined;
  /** Epoch milliseconds, where the provider says when the refresh token dies. */
  refreshTokenExpiresAt?: number | undefined;
  /**
   * Epoch milliseconds: when the grant must next be refreshed to stay alive (its refresh token dies
   * of disuse or age a margin later). Set by the core on every write; absent when the refresh token
   * does not die (or there is none). Stores keep it queryable for `sweep`.
   */
  refreshDueAt?: number | undefined;
  /**
   * Epoch milliseconds: when this grant was obtained (its code exchange), kept by every refresh. A
   * revocation notice from before it is about an earlier grant and removes nothing.
   */
  grantedAt?: number | undefined;
  scopes: string[];
  /** The connected account at the provider: GoCardless organisation, Square / Braintree merchant. */
  subject?: string | undefined;
  raw: TRaw;
}

/**
 * What callers get: the token data, read-only, that never shows a credential however it is printed
 * or logged. `accessToken`, `refreshToken` and `raw` are getters: reading, destructuring and
 * spreading work as on plain data, while `console.dir` and `util.inspect(token, { customInspect:
 * false })` show `[Getter]`, and `JSON.stringify` and JSON loggers get the redacted form.
 * `toTokenData(token)` is the full plain record.
 */
export type Token<TRaw = unknown> = Readonly<TokenData<TRaw>>;

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

type Secrets = Pick<TokenData<unknown>, "accessToken" | "refreshToken" | "raw">;

// The secret values live outside the token object, where no inspection of it can reach them.
const SECRETS = new WeakMap<object, Secrets>();

// Shared by every token: printing one shows no secret, and building one costs no per-token closures
// (getToken is a hot path).
const TOKEN_PROTOTYPE = {
  toString(this: TokenData<unknown>): string {
    return describeToken(this);
  },
  [inspectSymbol](this: TokenData<unknown>): string {
    return describeToken(this);
  },
  /** What `JSON.stringify` and JSON loggers (`logger.info({ token })`) see: no secret. */
  toJSON(this: TokenData<unknown>): Record<string, unknown> {
    return { ...this, accessToken: REDACTED, refreshToken: this.refreshToken && REDACTED, raw: REDACTED };
  },
};

// Own, enumerable accessors (a spread copies their values), one shared getter function each.
const accessor = (field: keyof Secrets): PropertyDescriptor => ({
  enumerable: true,
  get(this: object) {
    return SECRETS.get(this)?.[field];
  },
});
const WITHOUT_REFRESH = { accessToken: accessor("accessToken"), raw: accessor("raw") };
const WITH_REFRESH = { ...WITHOUT_REFRESH, refreshToken: accessor("refreshToken") };

/**
 * Wraps token data for callers: a frozen copy whose secrets are getters and whose `toString()`,
 * `util.inspect` and `toJSON` show only non-secret fields. Persist a token with `toTokenData(token)`
 * (or a spread), not `JSON.stringify(token)`.
 */
export function toToken<TRaw>(data: TokenData<TRaw>): Token<TRaw> {
  const { accessToken, refreshToken, raw, ...rest } = data;
  const token = Object.create(TOKEN_PROTOTYPE, "refreshToken" in data ? WITH_REFRESH : WITHOUT_REFRESH);
  SECRETS.set(token, { accessToken, refreshToken, raw });
  return Object.freeze(Object.assign(token, rest, { scopes: [...data.scopes] }));
}

/** A one-line description of a token without its secrets. */
export function describeToken(token: TokenData<unknown>): string {
  const parts = [
    `accessToken: ${REDACTED}`,
    `tokenType: ${JSON.stringify(token.tokenType)}`,
    token.refreshToken === undefined ? undefined : `refreshToken: ${REDACTED}`,
    token.expiresAt === undefined ? undefined : `expiresAt: ${describeInstant(token.expiresAt)}`,
    `scopes: ${JSON.stringify(token.scopes)}`,
    token.subject === undefined ? undefined : `subject: ${JSON.stringify(token.subject)}`,
    `raw: ${REDACTED}`,
  ];
  return `Token { ${parts.filter(Boolean).join(", ")} }`;
}

/** An ISO time, or the raw value when it is no valid instant (printing must never throw). */
function describeInstant(epochMs: unknown): string {
  const date = new Date(epochMs as number);
  return Number.isNaN(date.getTime()) ? JSON.stringify(String(epochMs)) : date.toISOString();
}

/**
 * Whether a value read from a store has the shape of a token record. A store is outside this
 * library's control (a schema change, a hand edit): a bad record must fail loudly, not be handed out.
 */
export function isTokenData(value: unknown): value is TokenData<unknown> {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  const optional = (field: string, type: "string" | "number") =>
    record[field] === undefined || typeof record[field] === type;
  return (
    typeof record.accessToken === "string" &&
    record.accessToken.length > 0 &&
    typeof record.tokenType === "string" &&
    Array.isArray(record.scopes) &&
    record.scopes.every((scope) => typeof scope === "string") &&
    optional("refreshToken", "string") &&
    optional("refreshTokenExpiresAt", "number") &&
    (record.refreshDueAt === undefined || Number.isSafeInteger(record.refreshDueAt)) &&
    (record.grantedAt === undefined || Number.isFinite(record.grantedAt)) &&
    optional("subject", "string") &&
    (record.expiresAt === undefined || Number.isFinite(record.expiresAt))
  );
}

/** Plain data for a store: drops the inspection helpers and copies arrays. */
export function toTokenData<TRaw>(token: TokenData<TRaw>): TokenData<TRaw> {
  const data: TokenData<TRaw> = {
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    scopes: [...token.scopes],
    raw: token.raw,
  };
  if (token.refreshToken !== undefined) data.refreshToken = token.refreshToken;
  if (token.expiresAt !== undefined) data.expiresAt = token.expiresAt;
  if (token.refreshTokenExpiresAt !== undefined) data.refreshTokenExpiresAt = token.refreshTokenExpiresAt;
  if (token.refreshDueAt !== undefined) data.refreshDueAt = token.refreshDueAt;
  if (token.grantedAt !== undefined) data.grantedAt = token.grantedAt;
  if (token.subject !== undefined) data.subject = token.subject;
  return data;
}
