import { endpointUrl, InvalidInputError } from "@partner-oauth/core";
import type { ConnectBusinessPrefill, ConnectUserPrefill, operations } from "./generated/schema.js";

/** The scopes Braintree documents by name (comma-separated on the wire). */
export const BRAINTREE_SCOPES = [
  "read_write",
  "read_only",
  "shared_vault_transactions",
  "grant_payment_method",
  "read_facilitated_transactions",
  "manage_disputes",
  "oauth_app_receive_dispute_webhooks",
] as const;

export type BraintreeNamedScope = (typeof BRAINTREE_SCOPES)[number];
/** Resource-oriented scopes such as `customer:create` or `dispute:accept/facilitated`. */
export type BraintreeResourceScope = `${string}:${string}`;
export type BraintreeScope = BraintreeNamedScope | BraintreeResourceScope;

/** Payment methods Braintree documents for sign-up. */
export type BraintreePaymentMethod = "credit_card" | "paypal";

export interface BraintreeAuthorizeOptions {
  /** At least one scope; sent comma-separated. */
  scopes: readonly [BraintreeScope, ...BraintreeScope[]];
  /**
   * The Braintree merchant expected to connect (`merchant_id`), as the SDK's `connectUrl({ merchantId })`
   * sends it. Braintree does not document its effect.
   */
  merchantId?: string | undefined;
  /** Which Braintree form opens first. */
  landingPage?: "signup" | "login" | undefined;
  /** `true` shows only the log-in form (existing Braintree merchants). */
  loginOnly?: boolean | undefined;
  /** Sign-up prefill for the person (`user[…]`); empty values are dropped. */
  user?: ConnectUserPrefill | undefined;
  /** Sign-up prefill for the business (`business[…]`); empty values are dropped. */
  business?: ConnectBusinessPrefill | undefined;
  /** Payment methods to enable on sign-up (`payment_methods[]`). */
  paymentMethods?: readonly BraintreePaymentMethod[] | undefined;
}

type ConnectQuery = operations["connect"]["parameters"]["query"];

/**
 * The connect URL, with the query in the official SDK's order and encoding (`encodeURIComponent`
 * plus `!'()*`): prefills, payment methods, then the top-level parameters.
 */
export function connectUrl(
  baseUrl: string,
  app: { clientId: string; redirectUri: string; state: string },
  options: BraintreeAuthorizeOptions,
): URL {
  const query: ConnectQuery = {
    client_id: app.clientId,
    // Right after client_id, where the SDK puts it when the caller lists it first (its tests do).
    merchant_id: merchantIdParameter(options.merchantId),
    redirect_uri: app.redirectUri,
    scope: scopeParameter(options?.scopes),
    state: app.state,
    landing_page: options.landingPage,
    login_only: options.loginOnly === undefined ? undefined : options.loginOnly ? "true" : "false",
  };
  const pairs: [string, string][] = [
    ...prefill("user", options.user),
    ...prefill("business", options.business),
    ...(options.paymentMethods ?? []).map((method): [string, string] => ["payment_methods[]", method]),
  ];
  for (const [key, value] of Object.entries(query)) {
    if (typeof value === "string") pairs.push([key, value]);
  }
  const url = endpointUrl(baseUrl, "/oauth/connect");
  url.search = pairs.map(([key, value]) => `${encode(key)}=${encode(value)}`).join("&");
  return url;
}

function merchantIdParameter(merchantId: unknown): string | undefined {
  if (merchantId === undefined) return undefined;
  if (typeof merchantId !== "string" || !/^[A-Za-z0-9_]+$/.test(merchantId)) {
    throw new TypeError("braintree: merchantId must be a Braintree merchant ID (letters, digits, _)");
  }
  return merchantId;
}

function scopeParameter(scopes: readonly string[] | undefined): string {
  const valid = (scope: unknown) =>
    typeof scope === "string" &&
    ((BRAINTREE_SCOPES as readonly string[]).includes(scope) || /^[a-z0-9_]+:[a-z0-9_:/]+$/.test(scope));
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every(valid)) {
    throw new InvalidInputError(
      `scopes must be a non-empty list of ${BRAINTREE_SCOPES.join(", ")} or resource scopes (customer:create)`,
      { provider: "braintree", operation: "authorize" },
    );
  }
  return [...new Set(scopes)].join(",");
}

function prefill(group: string, values: object | undefined): [string, string][] {
  return Object.entries(values ?? {})
    .filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1].trim() !== "")
    .map(([key, value]) => [`${group}[${key}]`, value]);
}

function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
