import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Providers whose specs ship with this package. */
export const PROVIDERS = [
  "gocardless",
  "truelayer",
  "square",
  "braintree",
  "opencollective",
  "oauth2",
] as const;
export type MockProvider = (typeof PROVIDERS)[number];

/** The spec file for a provider name, or the path itself when given a `.yaml`/`.json` path. */
export function resolveSpec(providerOrSpecPath: MockProvider | (string & {})): string {
  if ((PROVIDERS as readonly string[]).includes(providerOrSpecPath)) {
    // Inside the repository the specs at its root are the truth (a packed copy may be stale);
    // an installed package has only its shipped copy.
    const repository = new URL("../../../specs/", import.meta.url);
    const source = fileURLToPath(new URL(`${providerOrSpecPath}.yaml`, repository));
    if (existsSync(new URL("CONVENTIONS.md", repository)) && existsSync(source)) return source;
    const shipped = fileURLToPath(new URL(`../specs/${providerOrSpecPath}.yaml`, import.meta.url));
    if (existsSync(shipped)) return shipped;
    throw new Error(`spec for ${providerOrSpecPath} not found next to @partner-oauth/mocks`);
  }
  if (!/\.(ya?ml|json)$/.test(providerOrSpecPath) || !existsSync(providerOrSpecPath)) {
    throw new Error(`unknown provider or missing spec file: ${providerOrSpecPath}`);
  }
  return providerOrSpecPath;
}
