// The official SDK ships no types; these cover the webhook calls the tests make.
declare module "braintree" {
  interface GatewayConfig {
    environment?: unknown;
    merchantId?: string;
    publicKey?: string;
    privateKey?: string;
    clientId?: string;
    clientSecret?: string;
  }
  interface SampleNotification {
    bt_signature: string;
    bt_payload: string;
  }
  interface WebhookNotificationResult {
    kind: string;
    timestamp: string;
    oauthAccessRevocation?: { merchantId: string; oauthApplicationClientId: string };
  }
  class BraintreeGateway {
    constructor(config: GatewayConfig);
    webhookTesting: { sampleNotification(kind: string, id: string): SampleNotification };
    webhookNotification: { parse(signature: string, payload: string): Promise<WebhookNotificationResult> };
  }
  const braintree: {
    BraintreeGateway: typeof BraintreeGateway;
    Environment: { Sandbox: unknown };
    WebhookNotification: { Kind: Record<string, string> };
  };
  export default braintree;
}
