import { inspect } from "node:util";

/**
 * Throws when any secret appears in any way an error can reach a log: `String()`, `message`,
 * `stack`, `JSON.stringify`, `util.inspect` (which walks `cause`). For tests of error paths.
 */
export function assertNoSecrets(error: unknown, secrets: readonly (string | undefined)[]): void {
  const e = error as { message?: unknown; stack?: unknown; cause?: unknown };
  const renderings = [
    String(error),
    String(e?.message),
    String(e?.stack),
    JSON.stringify(error) ?? "",
    inspect(error, { depth: 10 }),
    inspect(e?.cause, { depth: 10 }),
  ].join("\n");
  for (const secret of secrets) {
    if (secret && renderings.includes(secret)) {
      throw new Error(`a secret (${secret.length} characters) appears in the error's renderings`);
    }
  }
}
