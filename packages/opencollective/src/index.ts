export {
  createOpenCollectiveClient,
  OPENCOLLECTIVE_HOSTS,
  type OpenCollectiveClient,
  type OpenCollectiveClientOptions,
  type OpenCollectiveEnvironment,
  openCollectiveBaseUrl,
} from "./client.js";
export { apiErrorFromBody, tokenErrorFromBody } from "./errors.js";
export type {
  ApiError,
  AuthorizationCodeRequest,
  components,
  GraphQlError,
  GraphQlRequest,
  GraphQlResponse,
  Me,
  OAuthError as OpenCollectiveOAuthErrorBody,
  operations,
  paths,
  RateLimitError,
  RefreshTokenRequest,
  Scope,
  TokenRequest,
  TokenResponse,
} from "./generated/schema.js";
export {
  createOpenCollectiveGraphQLClient,
  fetchMe,
  ME_QUERY,
  type OpenCollectiveGraphQLClient,
  type OpenCollectiveGraphQLOptions,
  type OpenCollectiveGraphQLPaths,
  type OpenCollectiveUser,
} from "./graphql.js";
export {
  type OpenCollectiveAuthorizeOptions,
  type OpenCollectiveOptions,
  type OpenCollectiveProvider,
  type OpenCollectiveToken,
  opencollective,
} from "./provider.js";
export {
  formatScopes,
  isOpenCollectiveScope,
  OPENCOLLECTIVE_SCOPES,
  type OpenCollectiveScope,
} from "./scopes.js";
