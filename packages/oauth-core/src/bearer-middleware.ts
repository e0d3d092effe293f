import type { Middleware } from "openapi-fetch";
import type { Token } from "./token.js";

/** The part of an OAuth client the middleware needs; refresh is optional (GoCardless has none). */
export interface BearerTokenSource<TTokenType extends string> {
  getToken(account: string, options?: { tokenType?: TTokenType | undefined }): Promise<Token<unknown>>;
  refresh?(
    account: string,
    options?: { tokenType?: TTokenType | undefined; ifAccessToken?: string | undefined },
  ): Promise<Token<unknown>>;
}

export interface BearerAuthOptions<TTokenType extends string> {
  account: string;
  tokenType?: TTokenType | undefined;
  /** fetch used to replay a request after a 401; defaults to the global fetch. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
}

/**
 * openapi-fetch middleware: adds `Authorization: Bearer <fresh token>` to every request. On a 401 it
 * refreshes once (shared with other callers holding the same dead token) and replays the request
 * once; the body is replayable because a clone is kept before the first send.
 */
export function bearerAuth<TTokenType extends string>(
  source: BearerTokenSource<TTokenType>,
  options: BearerAuthOptions<TTokenType>,
): Middleware {
  const replays = new Map<string, { request: Request; accessToken: string }>();
  const slot = { tokenType: options.tokenType };
  return {
    async onRequest({ request, id }) {
      const token = await source.getToken(options.account, slot);
      const authorized = withBearer(request, token.accessToken);
      if (source.refresh) replays.set(id, { request: authorized.clone(), accessToken: token.accessToken });
      return authorized;
    },
    async onResponse({ response, id }) {
      const replay = replays.get(id);
      replays.delete(id);
      if (response.status !== 401 || !replay || !source.refresh) return undefined;
      const fresh = await source.refresh(options.account, { ...slot, ifAccessToken: replay.accessToken });
      await response.body?.cancel();
      return (options.fetch ?? fetch)(withBearer(replay.request, fresh.accessToken));
    },
    onError({ id }) {
      replays.delete(id);
      return undefined;
    },
  };
}

function withBearer(request: Request, accessToken: string): Request {
  const headers = new Headers(request.headers);
  headers.set("Authorization", `Bearer ${accessToken}`);
  return new Request(request, { headers });
}
