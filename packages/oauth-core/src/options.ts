/**
 * Checks a provider factory's required string options up front, so a missing secret is a clear
 * TypeError at construction, not an opaque 401 at the first exchange.
 */
export function requireStringOptions<T extends object>(
  provider: string,
  options: T,
  fields: readonly (keyof T & string)[],
): void {
  for (const field of fields) {
    const value = (options as Record<string, unknown> | undefined)?.[field];
    if (typeof value !== "string" || value.length === 0)
      throw new TypeError(`${provider}: ${field} is required`);
  }
}
