// Stand-in for the provider's consent page: asks the mock for the authorization URL (Prism validates
// every query parameter against the spec and answers with the documented redirect), then builds the
// callback the provider would send, carrying our state.
import { assertNoViolations } from "@partner-oauth/mocks";

export async function consent(url, redirectUri, state, extra = {}) {
  const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
  assertNoViolations(response, { method: "GET", url: url.toString() });
  const location = response.headers.get("location");
  if (response.status !== 302 || !location) throw new Error(`authorization page answered ${response.status}`);
  const code = new URL(location).searchParams.get("code");
  if (!code) throw new Error("mock redirect carries no code");
  const callback = new URL(redirectUri);
  callback.searchParams.set("code", code);
  callback.searchParams.set("state", state);
  for (const [key, value] of Object.entries(extra)) callback.searchParams.set(key, value);
  return { callback: callback.toString(), code };
}

/** Short, secret-free description of a token for the demo output. */
export function describe(token) {
  const seconds =
    token.expiresAt === undefined ? undefined : Math.round((token.expiresAt - Date.now()) / 1000);
  const expiry =
    seconds === undefined
      ? "never expires"
      : Math.abs(seconds) > 86_400
        ? `expires ${new Date(token.expiresAt).toISOString().slice(0, 10)}`
        : `expires in ${seconds} s`;
  const refresh = token.refreshToken ? ", has refresh token" : "";
  const subject = token.subject ? ` for ${token.subject}` : "";
  return `${token.tokenType} token${subject}, scopes [${token.scopes.join(" ")}], ${expiry}${refresh}`;
}
