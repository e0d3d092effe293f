import {
  type DataScope,
  dataScopeValues,
  type PaymentsScope,
  paymentsScopeValues,
} from "./generated/schema.js";

/** Data API v1 scopes, for the auth link (`offline_access` is what earns a refresh token). */
export const dataScopes: readonly DataScope[] = dataScopeValues;

/** Scopes of the client-credentials grant for the Payments side (payments, mandates, payouts, ...). */
export const paymentsScopes: readonly PaymentsScope[] = paymentsScopeValues;

/**
 * TrueLayer's two token types, each its own store slot: `data` (the code flow's user token) and
 * `payments` (an app token from client credentials).
 */
export type TrueLayerTokenType = "payments" | "data";

export type TrueLayerScope = DataScope | PaymentsScope;

const scopesByTokenType: Readonly<Record<TrueLayerTokenType, readonly string[]>> = {
  payments: paymentsScopes,
  data: dataScopes,
};

/** Whether every scope belongs to the token type, so a payments slot never holds a data-scoped token. */
export function scopesFitTokenType(tokenType: TrueLayerTokenType, scopes: readonly string[]): boolean {
  // Checked at run time too: a caller without types may pass anything, which must be refused, not crash.
  const allowed = Object.hasOwn(scopesByTokenType, tokenType) ? scopesByTokenType[tokenType] : undefined;
  return (
    allowed !== undefined &&
    Array.isArray(scopes) &&
    scopes.length > 0 &&
    scopes.every((scope) => typeof scope === "string" && allowed.includes(scope))
  );
}
