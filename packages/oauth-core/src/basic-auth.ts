import { base64url } from "./random.js";

/**
 * HTTP Basic credentials for a client, form-urlencoding id and secret first as RFC 6749 §2.3.1 says
 * (a `:` in a secret would otherwise split it).
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const pair = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
  const bytes = new TextEncoder().encode(pair);
  const standard = base64url(bytes).replace(/-/g, "+").replace(/_/g, "/");
  return `Basic ${standard.padEnd(Math.ceil(standard.length / 4) * 4, "=")}`;
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
