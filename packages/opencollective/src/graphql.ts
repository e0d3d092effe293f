import {
  asObject,
  bearerAuth,
  type CallOptions,
  DEFAULT_TIMEOUT_MS,
  type OAuthClient,
  optionalString,
  ProviderError,
  providerError,
  refuseRedirects,
  requiredString,
  withRequestContext,
} from "@partner-oauth/core";
import createClient, { type Client } from "openapi-fetch";
import { apiErrorFromBody } from "./errors.js";
import type { operations, paths } from "./generated/schema.js";
import type { OpenCollectiveProvider } from "./provider.js";

/** The GraphQL operation, with `Authorization` left to the bearer middleware instead of each call. */
type GraphQLOperation = Omit<operations["graphql"], "parameters"> & {
  parameters: { query?: never; header?: never; path?: never; cookie?: never };
};

export interface OpenCollectiveGraphQLPaths {
  "/api/graphql/v2": Omit<paths["/api/graphql/v2"], "post"> & { post: GraphQLOperation };
}

export type OpenCollectiveGraphQLClient = Client<OpenCollectiveGraphQLPaths>;

/** Whose token each client sends, so `fetchMe` can refresh it when Open Collective ignores it. */
const owners = new WeakMap<OpenCollectiveGraphQLClient, { oauth: OpenCollectiveOAuth; account: string }>();
type OpenCollectiveOAuth = OAuthClient<OpenCollectiveProvider>;

export interface OpenCollectiveGraphQLOptions {
  /** The OAuth client holding the token; its provider's host is the default API host. */
  oauth: OAuthClient<OpenCollectiveProvider>;
  /** Whose stored token to send. */
  account: string;
  baseUrl?: string | undefined;
  /** Used for the call and for the replay after a 401 (the middleware wants a full `fetch`). */
  fetch?: typeof fetch | undefined;
}

/**
 * An openapi-fetch client for `POST /api/graphql/v2` that sends the account's stored token (refreshed
 * when due) and, on a 401 (expired JWT), refreshes once and replays the request.
 */
export function createOpenCollectiveGraphQLClient(
  options: OpenCollectiveGraphQLOptions,
): OpenCollectiveGraphQLClient {
  const client = createClient<OpenCollectiveGraphQLPaths>({
    baseUrl: options.baseUrl ?? options.oauth.provider.baseUrl,
    // Never follow a redirect with a bearer token attached ("manual" plus refuseRedirects: workerd
    // refuses to build a Request with "error").
    redirect: "manual",
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  // First in, so last on the response: it also sees the answer to bearerAuth's replay after a 401.
  client.use(refuseRedirects);
  client.use(bearerAuth(options.oauth, { account: options.account, fetch: options.fetch }));
  owners.set(client, { oauth: options.oauth, account: options.account });
  return client;
}

/** The user behind the token. `email` is null without the `email` scope. */
export interface OpenCollectiveUser {
  id: string;
  name: string | null;
  email: string | null;
}

export const ME_QUERY = "{ me { id name email } }";

/**
 * Runs `{ me { id name email } }`. Open Collective silently ignores an invalid, revoked or replaced
 * token and answers 200 `{data:{me:null}}`, so no 401 ever triggers the bearer middleware's refresh.
 * For a client from `createOpenCollectiveGraphQLClient`, `fetchMe` therefore refreshes once itself
 * (only if that token is still the stored one) and asks again: a dead grant then ends in
 * `ReauthorizationRequiredError` and leaves the store, instead of being handed out until it expires.
 * A second `me: null`, or one on any other client, is a ProviderError with code `invalid_token`.
 * GraphQL `errors[]` and the REST 401/429 envelope become typed errors too.
 */
export async function fetchMe(
  client: OpenCollectiveGraphQLClient,
  options?: CallOptions,
): Promise<OpenCollectiveUser> {
  const owner = owners.get(client);
  if (!owner) return queryMe(client, options);
  const sent = (await owner.oauth.getToken(owner.account, options)).accessToken;
  try {
    return await queryMe(client, options);
  } catch (error) {
    if (!isIgnoredToken(error)) throw error;
    await owner.oauth.refresh(owner.account, { ...options, ifAccessToken: sent });
    return queryMe(client, options);
  }
}

function isIgnoredToken(error: unknown): boolean {
  return error instanceof ProviderError && error.status === 200 && error.code === "invalid_token";
}

/** One `me` query through the client. */
function queryMe(client: OpenCollectiveGraphQLClient, options?: CallOptions): Promise<OpenCollectiveUser> {
  const base = { provider: "opencollective", operation: "request" as const, timeoutMs: DEFAULT_TIMEOUT_MS };
  return withRequestContext(base, options, async (ctx) => {
    const { data, error, response } = await client.POST("/api/graphql/v2", {
      body: { query: ME_QUERY },
      headers: { Accept: "application/json" },
      signal: ctx.signal,
    });
    if (!response.ok) throw apiErrorFromBody(ctx, response.status, error);
    const body = asObject(data, ctx, response.status);
    // Our query asks for `me` only, so any GraphQL error concerns it.
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      throw apiErrorFromBody(ctx, response.status, body);
    }
    const me = asObject(body.data, ctx, response.status).me;
    if (me === null) {
      throw providerError(ctx, {
        status: response.status,
        code: "invalid_token",
        description: "the token was ignored (me is null): it is invalid, revoked or replaced",
      });
    }
    const user = asObject(me, ctx, response.status);
    return {
      id: requiredString(user, "id", ctx),
      name: optionalString(user, "name", ctx) ?? null,
      email: optionalString(user, "email", ctx) ?? null,
    };
  });
}
