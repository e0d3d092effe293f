// How the app drives each provider against its Prism mock. The options mirror the lifecycle demo
// (tools/demo/scenarios/*.mjs): same demo credentials, same authorize options, same `Prefer` choices.
import { braintree } from "@partner-oauth/braintree";
import { gocardless } from "@partner-oauth/gocardless";
import { opencollective } from "@partner-oauth/opencollective";
import { square } from "@partner-oauth/square";
import { truelayer } from "@partner-oauth/truelayer";

/** @typedef {"gocardless" | "truelayer" | "square" | "braintree" | "opencollective"} ProviderId */

/**
 * @typedef {object} ProviderDefinition
 * @property {string} name Display name.
 * @property {(options: { baseUrl: string, redirectUri: string, fetch?: typeof fetch }) => any} create
 *   Builds the provider adapter for `createOAuthClient`.
 * @property {object} authorize Options for `oauth.authorize`.
 * @property {{ exchange?: string, refresh?: string }} prefer Prism `Prefer` header per step: Prism answers
 *   the first documented 200 example unless told otherwise, and some steps need another one.
 * @property {string[]} callbackParams Parameters the provider's redirect carries next to `code`.
 * @property {boolean} refresh Whether the provider has refresh tokens.
 * @property {boolean} revoke Whether the provider has a revoke endpoint.
 * @property {string} [note] Shown on the page next to the provider.
 */

/** @type {Record<ProviderId, ProviderDefinition>} */
export const PROVIDERS = {
  gocardless: {
    name: "GoCardless",
    create: ({ baseUrl, redirectUri, fetch }) =>
      gocardless({
        clientId: "demo_client",
        clientSecret: "demo_secret",
        redirectUri,
        environment: "sandbox",
        baseUrl,
        ...(fetch ? { fetch } : {}),
      }),
    authorize: { scopes: ["read_write"], initialView: "signup", prefill: { email: "owner@shop.example" } },
    prefer: {},
    callbackParams: [],
    refresh: false,
    revoke: true,
    note: "Tokens never expire, so there is nothing to refresh.",
  },
  truelayer: {
    name: "TrueLayer",
    create: ({ baseUrl, redirectUri, fetch }) =>
      truelayer({
        clientId: "sandbox-demo",
        clientSecret: "demo_secret",
        redirectUri,
        environment: "sandbox",
        baseUrl,
        ...(fetch ? { fetch } : {}),
      }),
    // offline_access: without it TrueLayer issues no refresh token.
    authorize: {
      scopes: ["info", "accounts", "balance", "transactions", "offline_access"],
      providers: ["uk-cs-mock"],
    },
    prefer: {},
    callbackParams: [],
    refresh: true,
    revoke: true,
    note: "Revoke deletes the connection (the credential) at TrueLayer.",
  },
  square: {
    name: "Square",
    create: ({ baseUrl, redirectUri, fetch }) =>
      square({
        clientId: "sq0idp-demo",
        // With the secret: Square's code flow for server apps, and revoke.
        clientSecret: "sq0csp-demo-secret",
        redirectUri,
        environment: "sandbox",
        baseUrl,
        ...(fetch ? { fetch } : {}),
      }),
    authorize: { scopes: ["MERCHANT_PROFILE_READ", "PAYMENTS_WRITE"], session: false },
    // The mock's first examples are the code flow's; the refresh one returns the same refresh token.
    prefer: { refresh: "code=200, example=refresh" },
    callbackParams: [],
    refresh: true,
    revoke: true,
    note: "Square's token response carries no scopes; the code flow's refresh token is reused.",
  },
  braintree: {
    name: "Braintree",
    create: ({ baseUrl, redirectUri, fetch }) =>
      braintree({
        clientId: "client_id$sandbox$demo_client",
        clientSecret: "client_secret$sandbox$demo_secret",
        redirectUri,
        environment: "sandbox",
        baseUrl,
        ...(fetch ? { fetch } : {}),
      }),
    authorize: {
      scopes: ["read_write", "shared_vault_transactions"],
      landingPage: "signup",
      user: { email: "owner@shop.example" },
      paymentMethods: ["credit_card", "paypal"],
    },
    // Without it the mock answers a refresh with the code-exchange example (same refresh token).
    prefer: { refresh: "example=refresh_token" },
    // Braintree's redirect carries the merchant's id next to the code.
    callbackParams: ["merchantId"],
    refresh: true,
    revoke: true,
    note: "The redirect carries the merchant id next to the code; refresh rotates the refresh token.",
  },
  opencollective: {
    name: "Open Collective",
    create: ({ baseUrl, redirectUri, fetch }) =>
      opencollective({
        clientId: "demo_client",
        clientSecret: "demo_secret",
        redirectUri,
        environment: "staging",
        baseUrl,
        ...(fetch ? { fetch } : {}),
      }),
    authorize: { scopes: ["email", "account"] },
    prefer: {},
    callbackParams: [],
    refresh: true,
    revoke: false,
    note:
      "No revoke endpoint: Disconnect only forgets the token in this app. " +
      "The merchant removes the app in their Open Collective settings.",
  },
};

/** @type {ProviderId[]} */
export const PROVIDER_IDS = /** @type {ProviderId[]} */ (Object.keys(PROVIDERS));
