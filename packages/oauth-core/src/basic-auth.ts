import { base64 } from "./random.js";

export interface BasicAuthorizationOptions {
  /**
   * Form-urlencode id and secret before joining them, as RFC 6749 §2.3.1 says (a `:` in a secret would
   * otherwise split it). Default `true`; `false` only for a provider whose own SDKs send the raw values
   * and whose credentials carry characters encoding would change (Braintree's `$`).
   */
  formEncode?: boolean | undefined;
}

/** The `Authorization: Basic …` value for a client's id and secret. */
export function basicAuthorization(
  clientId: string,
  clientSecret: string,
  options: BasicAuthorizationOptions = {},
): string {
  const encode = options.formEncode === false ? (value: string) => value : formEncode;
  return `Basic ${base64(new TextEncoder().encode(`${encode(clientId)}:${encode(clientSecret)}`))}`;
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
