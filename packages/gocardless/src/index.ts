export {
  createGoCardlessClient,
  GOCARDLESS_API_VERSION,
  GOCARDLESS_HOSTS,
  type GoCardlessClient,
  type GoCardlessClientOptions,
  type GoCardlessEnvironment,
  type GoCardlessHosts,
  gocardlessHosts,
} from "./client.js";
export { apiErrorFromBody } from "./errors.js";
export type {
  ApiError,
  ApiErrorEnvelope,
  AuthorizationCodeRequest,
  Creditor,
  CreditorList,
  components,
  OAuthError as GoCardlessOAuthErrorBody,
  operations,
  Prefill,
  paths,
  RevokeRequest,
  Scope,
  TokenResponse,
} from "./generated/schema.js";
export { scopeValues } from "./generated/schema.js";
export {
  type GoCardlessAuthorizeOptions,
  type GoCardlessOptions,
  type GoCardlessProvider,
  type GoCardlessToken,
  type GoCardlessTokenInfo,
  gocardless,
} from "./provider.js";
