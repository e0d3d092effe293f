export { type BasicAuthorizationOptions, basicAuthorization } from "./basic-auth.js";
export { type BearerAuthOptions, type BearerTokenSource, bearerAuth } from "./bearer-middleware.js";
export {
  type CallbackInput,
  type CallbackIssuer,
  type VerifiedCallback,
  verifyCallback,
} from "./callback.js";
export {
  type AuthorizeResult,
  type BaseClient,
  type CallbackOptions,
  type ClientCredentialsMethods,
  createOAuthClient,
  DEFAULT_REFRESH_SKEW_MS,
  DEFAULT_WRITE_BUDGET_MS,
  type ExchangeOptions,
  type IntrospectMethods,
  type OAuthClient,
  type OAuthClientOptions,
  type RefreshErrorEvent,
  type RefreshMethods,
  type RevokeMethods,
  type SlotOptions,
  type TokenUpdateEvent,
  type TokenUpdateReason,
  type UnpersistedTokenEvent,
} from "./client.js";
export {
  checkDueQuery,
  type DueCursor,
  type DueGrant,
  type DueIndex,
  type DuePage,
  type DueQuery,
  hasDueIndex,
} from "./due-index.js";
export { type EncryptedStoreOptions, type EncryptionKey, encryptedStore } from "./encrypted-store.js";
export { endpointUrl } from "./endpoint-url.js";
export {
  AuthorizationDeniedError,
  InvalidCallbackError,
  InvalidClientError,
  InvalidGrantError,
  InvalidInputError,
  NetworkError,
  OAuthError,
  type OAuthErrorOptions,
  type OAuthOperation,
  ProviderError,
  ReauthorizationRequiredError,
  RefreshPendingError,
  RequestAbortedError,
  RequestBuildError,
  ResponseParseError,
  StateMismatchError,
  StoreError,
  TimeoutError,
  TokenDecryptionError,
  TokenNotFoundError,
  TokenNotPersistedError,
  UnexpectedRedirectError,
  UnsupportedOperationError,
  type WebhookRejection,
  WebhookVerificationError,
} from "./errors.js";
export { FORM_HEADERS, type FormValue, formBody } from "./form.js";
export { MemoryTokenStore, type MemoryTokenStoreOptions } from "./memory-store.js";
export {
  asObject,
  expiresAtFromSeconds,
  fieldsOf,
  noteDeliveredRefreshToken,
  optionalString,
  parseTimestamp,
  requiredString,
  splitScopes,
  textOf,
} from "./normalize.js";
export { requireStringOptions } from "./options.js";
export { codeChallengeS256, createPkcePair, type PkcePair } from "./pkce.js";
export type {
  AnyProvider,
  AuthorizationUrlInput,
  AuthorizeOptionsOf,
  ClientCredentialsCapability,
  CodeExchangeInput,
  IntrospectCapability,
  ProviderAdapter,
  RawOf,
  RefreshCapability,
  RefreshTokenBehaviour,
  RevocationNoticeCapability,
  RevokeCapability,
  TokenTypeOf,
} from "./provider.js";
export { createProviderClient, type ProviderClientOptions } from "./provider-client.js";
export {
  oauthErrorFromBody,
  type ProviderErrorInput,
  providerError,
  unexpectedBody,
} from "./provider-error.js";
export { parseCount, recordFromJson, recordToJson } from "./record-json.js";
export { REDACTED, redact } from "./redact.js";
export { MAX_KEEP_ALIVE_MARGIN_MS, refreshDueAt } from "./refresh-due.js";
export { type Refreshing, refreshing } from "./refreshing.js";
export { RedirectRefusedError, refuseRedirects } from "./refuse-redirects.js";
export {
  type CallOptions,
  DEFAULT_TIMEOUT_MS,
  type RequestContext,
  withRequestContext,
} from "./request-context.js";
export {
  DEFAULT_MAX_RESPONSE_BYTES,
  limitResponseBody,
  ResponseTooLargeError,
} from "./response-limit.js";
export { parseRetryAfter } from "./retry-after.js";
export {
  type ApplyRevocationOptions,
  type RevocationMethods,
  type RevocationNotice,
  type RevocationNotices,
  type RevocationOutcome,
  revocationNotices,
} from "./revocation.js";
export {
  isSharedTokenStore,
  type SharedTokenStore,
  SharedTokenStoreBase,
  type VersionedRecord,
  type WriteCondition,
  type WriteResult,
} from "./shared-store.js";
export { SingleFlight } from "./single-flight.js";
export { constantTimeEqual, createState } from "./state.js";
export { parseStoreKey, storeKey, type TokenKey, type TokenStore } from "./store.js";
export { failureChain, failureCode, RETRYABLE_SOCKET_CODES } from "./store-failures.js";
export type { SweepOptions, SweepReport, SweepStop, SweptGrant } from "./sweep.js";
export {
  type SweepAllOptions,
  type Sweepable,
  type Sweeper,
  type SweeperOptions,
  startSweeper,
  sweepAll,
} from "./sweeper.js";
export { describeToken, type Token, type TokenData, toToken, toTokenData } from "./token.js";
export {
  checkNoticeAge,
  concatBytes,
  DEFAULT_MAX_WEBHOOK_BYTES,
  DEFAULT_WEBHOOK_MAX_AGE_MS,
  digest,
  hmac,
  type RawBody,
  readRawBody,
  toBase64,
  toHex,
  WEBHOOK_CLOCK_SKEW_MS,
} from "./webhook.js";
