/**
 * Braintree's client credentials travel raw in HTTP Basic, as the official SDKs send them
 * (`Buffer.from(clientId + ":" + clientSecret)` in Node, `Net::HTTP#basic_auth` in Ruby): RFC 6749
 * §2.3.1's form-encoding would turn the `$` separators of `client_id$sandbox$…` into `%24`, and whether
 * the gateway decodes that is unknown. Raw is only unambiguous for values without `:` (RFC 7617 §2: a
 * user-id containing a colon is invalid, and the pair is split at the first one) and without control
 * characters (RFC 7617 §2 excludes them from both parts), so those are refused up front.
 */

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
