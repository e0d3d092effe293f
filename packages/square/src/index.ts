export type { SquareAuthorizeOptions, SquareLocale, SquarePermission } from "./authorize.js";
export {
  createSquareClient,
  SQUARE_HOSTS,
  SQUARE_VERSION,
  type SquareClient,
  type SquareClientOptions,
  type SquareEnvironment,
  squareHost,
} from "./client.js";
export { isAlreadyRevoked, readSquareError, type SquareErrorInfo, squareErrorFromBody } from "./errors.js";
export type {
  AuthorizationCodeGrant,
  components,
  Error as SquareErrorItem,
  ErrorCategory,
  ErrorCode,
  ErrorResponse,
  LegacyError,
  OAuthPermission,
  OauthAuthorizationRevokedEvent,
  OauthAuthorizationRevokedEventRevokerType,
  ObtainTokenRequest,
  ObtainTokenResponse,
  operations,
  Permission,
  paths,
  RefreshTokenGrant,
  RetrieveTokenStatusResponse,
  RevokeTokenRequest,
  RevokeTokenResponse,
} from "./generated/schema.js";
export { errorCodeValues, oAuthPermissionValues as squarePermissions } from "./generated/schema.js";
export {
  type SquareOptions,
  type SquareProvider,
  type SquareProviderBase,
  type SquarePublicProvider,
  type SquareToken,
  square,
} from "./provider.js";
export type {
  SquareActiveTokenStatus,
  SquareInactiveTokenStatus,
  SquareTokenStatus,
} from "./token-status.js";
export {
  type SquareAuthorizationRevoked,
  type SquareOtherEvent,
  type SquareWebhookEvent,
  type SquareWebhookInput,
  type SquareWebhookOptions,
  verifySquareWebhook,
} from "./webhook.js";
