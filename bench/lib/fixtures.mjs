// What the getToken sections share: one fresh TrueLayer token and the adapter getToken never calls
// while that token is fresh.
import { truelayer } from "@partner-oauth/truelayer";

export const ACCOUNT = "merchant-42";

/** A token with an hour to live, shaped like TrueLayer's. */
export function freshTokenData() {
  return {
    accessToken: "at-fresh-0123456789abcdef",
    tokenType: "Bearer",
    refreshToken: "rt-fresh-0123456789abcdef",
    expiresAt: Date.now() + 3_600_000,
    scopes: ["info", "accounts", "offline_access"],
    raw: {
      access_token: "at-fresh-0123456789abcdef",
      expires_in: 3600,
      token_type: "Bearer",
      refresh_token: "rt-fresh-0123456789abcdef",
      scope: "info accounts offline_access",
    },
  };
}

/** The TrueLayer adapter pointed at a closed port: a fresh token never reaches it. */
export function idleProvider() {
  return truelayer({
    clientId: "bench-client",
    clientSecret: "bench-secret",
    redirectUri: "https://partner.example/cb",
    environment: "sandbox",
    baseUrl: "http://127.0.0.1:9",
  });
}
