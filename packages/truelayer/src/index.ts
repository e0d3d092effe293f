export type { TrueLayerAuthorizeOptions } from "./auth-link.js";
export {
  createTrueLayerClient,
  TRUELAYER_HOSTS,
  type TrueLayerClient,
  type TrueLayerClientOptions,
  type TrueLayerEnvironment,
  type TrueLayerHosts,
  truelayerHosts,
} from "./client.js";
export type { TrueLayerConnection, TrueLayerTokenInfo } from "./connection.js";
export { apiErrorFromBody } from "./errors.js";
export type {
  AuthorizationCodeGrant,
  ClientCredentialsGrant,
  ConnectionMetadata,
  components,
  DataScope,
  MeResponse,
  operations,
  PaymentsScope,
  paths,
  RefreshTokenGrant,
  TokenRequest,
  TokenResponse,
  V1Error,
} from "./generated/schema.js";
export {
  type TrueLayerOptions,
  type TrueLayerProvider,
  truelayer,
} from "./provider.js";
export {
  dataScopes,
  paymentsScopes,
  type TrueLayerScope,
  type TrueLayerTokenType,
} from "./scopes.js";
export type { TrueLayerToken } from "./token.js";
