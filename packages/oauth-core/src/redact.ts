/** Replacement text for anything secret. */
export const REDACTED = "[redacted]";

// Runs of 24+ token characters look like credentials (JWTs, opaque tokens, secrets): never echo them.
// `%` counts too, so a URL-encoded token is one run, not pieces short enough to survive.
const TOKEN_LIKE = /[A-Za-z0-9\-_.~+/=%]{24,}/g;

/**
 * Removes secrets from free text that may reach an error message: every known secret value, and any
 * long token-like run (a provider's error_description may quote the code or token it rejected).
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const spelling of spellingsOf(secret)) out = out.split(spelling).join(REDACTED);
  }
  // Single-case words such as `insufficient_permissions` or `bad_request.missing_parameter` are
  // error codes, not credentials (which mix case or digits).
  return out.replace(TOKEN_LIKE, (run) => (/^[a-z_.-]+$|^[A-Z_.-]+$/.test(run) ? run : REDACTED));
}

/** A secret as it is, and as a form body or a query string carries it (a provider may echo those). */
function spellingsOf(secret: string): Set<string> {
  const formEncoded = new URLSearchParams({ s: secret }).toString().slice(2);
  return new Set([secret, encodeURIComponent(secret), formEncoded]);
}
