import { createProviderClient } from "@partner-oauth/core";
import type { Client, ClientOptions } from "openapi-fetch";
import type { paths } from "./generated/schema.js";

export type SquareEnvironment = "production" | "sandbox";

/** Square serves the authorize page and every OAuth endpoint from one host per environment. */
export const SQUARE_HOSTS: Readonly<Record<SquareEnvironment, string>> = {
  production: "https://connect.squareup.com",
  sandbox: "https://connect.squareupsandbox.com",
};

/** The `Square-Version` sent by default: the release the spec was written against (SDK v46's default). */
export const SQUARE_VERSION = "2026-09-16";

export interface SquareClientOptions {
  environment: SquareEnvironment;
  /** Overrides the environment's host, e.g. with a mock's URL. */
  baseUrl?: string | undefined;
  fetch?: ClientOptions["fetch"];
  /** `YYYY-MM-DD` release date sent as `Square-Version` on every call. */
  squareVersion?: string | undefined;
}

export type SquareClient = Client<paths>;

/** The host for an environment or a base-URL override. */
export function squareHost(options: Pick<SquareClientOptions, "environment" | "baseUrl">): string {
  const host = SQUARE_HOSTS[options?.environment];
  if (!host) throw new TypeError(`square: unknown environment ${String(options?.environment)}`);
  return options.baseUrl ?? host;
}

/**
 * A typed openapi-fetch client for specs/square.yaml. `Square-Version` is a client-wide header so no
 * call can forget it. Redirects are refused: a token request that follows one could carry the client
 * secret to another host.
 */
export function createSquareClient(options: SquareClientOptions): SquareClient {
  const version = options.squareVersion ?? SQUARE_VERSION;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) {
    throw new TypeError("square: squareVersion must be a YYYY-MM-DD release date");
  }
  return createProviderClient<paths>({
    baseUrl: squareHost(options),
    headers: { "Square-Version": version, Accept: "application/json" },
    fetch: options.fetch,
  });
}
