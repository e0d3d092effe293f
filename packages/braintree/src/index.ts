export { assertBasicSafe } from "./basic-auth.js";
export {
  BRAINTREE_API_VERSION,
  BRAINTREE_HOSTS,
  type BraintreeClient,
  type BraintreeClientOptions,
  type BraintreeEnvironment,
  braintreeBaseUrl,
  createBraintreeClient,
} from "./client.js";
export {
  BRAINTREE_SCOPES,
  type BraintreeAuthorizeOptions,
  type BraintreeNamedScope,
  type BraintreePaymentMethod,
  type BraintreeResourceScope,
  type BraintreeScope,
} from "./connect-url.js";
export type {
  BraintreeCredentials,
  BraintreeErrorResponse,
  BraintreeValidationError,
} from "./documents.js";
export { BRAINTREE_OAUTH_ERROR_CODES, braintreeError } from "./errors.js";
export type {
  AuthorizationCodeGrant,
  ConnectBusinessPrefill,
  ConnectUserPrefill,
  components,
  operations,
  paths,
  RefreshTokenGrant,
  RevokeRequest,
  TokenRequest,
  WebhookNotificationForm,
} from "./generated/schema.js";
export {
  type BraintreeOptions,
  type BraintreeProvider,
  type BraintreeToken,
  braintree,
} from "./provider.js";
export {
  type BraintreeOAuthAccessRevoked,
  type BraintreeOtherNotification,
  type BraintreeWebhookFields,
  type BraintreeWebhookNotification,
  type BraintreeWebhookOptions,
  verifyBraintreeWebhook,
  verifyBraintreeWebhookFields,
} from "./webhook.js";
export { escapeXml, parseXml, XML_MAX_BYTES, XML_MAX_DEPTH, type XmlElement } from "./xml.js";
