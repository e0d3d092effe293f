/**
 * HTTP Basic for Braintree's client credentials, built from the raw values as the official SDKs do
 * (`Buffer.from(clientId + ":" + clientSecret)` in Node, `Net::HTTP#basic_auth` in Ruby).
 *
 * The core's `basicAuthorization()` form-urlencodes both values first, as RFC 6749 §2.3.1 asks, which
 * turns the `$` separators of `client_id$sandbox$…` into `%24`; whether the gateway decodes that is
 * unknown, so follow the SDK. Sending raw is only unambiguous for values without `:` (RFC 7617 §2:
 * a user-id containing a colon is invalid, and the pair is split at the first one) and without control
 * characters (RFC 7617 §2 excludes them from both parts), so those are refused up front.
 */
export function braintreeBasicAuthorization(clientId: string, clientSecret: string): string {
  const bytes = new TextEncoder().encode(`${clientId}:${clientSecret}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** Throws TypeError when a client credential cannot travel raw in HTTP Basic. Never quotes the value. */
export function assertBasicSafe(field: "clientId" | "clientSecret", value: string): void {
  if (value.includes(":")) {
    throw new TypeError(`braintree: ${field} must not contain ':' (HTTP Basic splits on it, RFC 7617)`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new TypeError(`braintree: ${field} must not contain control characters (RFC 7617)`);
  }
}
