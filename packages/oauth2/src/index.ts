export {
  createOAuth2Client,
  type OAuth2Client,
  type OAuth2ClientOptions,
  type OAuth2Path,
} from "./client.js";
export {
  DEFAULT_MAX_METADATA_BYTES,
  DEFAULT_METADATA_MAX_AGE_MS,
  type DiscoverOptions,
  type DiscoveryDocument,
  discoverMetadata,
  MetadataCache,
  wellKnownUrl,
} from "./discovery.js";
export { DiscoveryError, type DiscoveryFailure } from "./errors.js";
export type {
  AuthorizationCodeRequest,
  AuthorizationServerMetadata,
  ClientCredentialsRequest,
  components,
  IntrospectionResponse,
  OAuthError as OAuth2ErrorBody,
  operations,
  paths,
  RefreshTokenRequest,
  RevocationRequest,
  TokenRequest,
  TokenResponse,
} from "./generated/schema.js";
export {
  type CapabilitiesOf,
  checkMetadata,
  type OAuth2Capability,
  type OAuth2Metadata,
} from "./metadata.js";
export {
  type ClientAuthMethod,
  type DiscoverOAuth2Options,
  discoverOAuth2,
  type OAuth2Adapter,
  type OAuth2AuthorizeOptions,
  type OAuth2ClientSettings,
  type OAuth2Options,
  type OAuth2Provider,
  type OAuth2Token,
  type OAuth2TokenType,
  oauth2,
} from "./provider.js";
