import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OAuth2Server, { Request, Response } from "@node-oauth/oauth2-server";

/**
 * A real `@node-oauth/oauth2-server` 5.3 on 127.0.0.1, set up the way Open Collective runs it
 * (opencollective-api `server/lib/oauth`): `/oauth/authorize` and `/oauth/token`, a form body with the
 * client secret in it (client_secret_post), every grant issuing a refresh token that rotates
 * (`alwaysIssueNewRefreshToken`; the model deletes the used one), codes valid 5 minutes, and
 * `/api/me` behind the library's bearer authentication. The model keeps everything in memory.
 */
export interface OAuth2ServerHandle {
  baseUrl: string;
  client: { id: string; secret: string };
  redirectUri: string;
  /** Successful and failed token requests by grant_type. */
  grants: Record<string, number>;
  /** Live access tokens in the model. */
  accessTokens(): string[];
  stop(): Promise<void>;
}

interface Stored {
  accessToken: string;
  accessTokenExpiresAt?: Date;
  refreshToken?: string;
  refreshTokenExpiresAt?: Date;
  scope?: string[];
  client: { id: string };
  user: { id: string };
}

export async function startOAuth2Server(options: { delayMs?: number } = {}): Promise<OAuth2ServerHandle> {
  const client = { id: "oc_client_id_123", secret: "oc_client_secret_456:with-colon" };
  const redirectUri = "https://partner.example/oauth/opencollective/callback";
  const grants: Record<string, number> = {};
  const codes = new Map<string, Record<string, unknown>>();
  const tokens = new Map<string, Stored>();
  const refreshTokens = new Map<string, Stored>();
  const registered = {
    id: client.id,
    redirectUris: [redirectUri],
    grants: ["authorization_code", "refresh_token"],
  };

  const model = {
    async getClient(clientId: string, clientSecret: string | null) {
      if (clientId !== client.id) return false;
      if (clientSecret !== null && clientSecret !== undefined && clientSecret !== client.secret) return false;
      return registered;
    },
    async saveAuthorizationCode(code: Record<string, unknown>, c: unknown, user: unknown) {
      const saved = { ...code, client: c, user };
      codes.set(code.authorizationCode as string, saved);
      return saved;
    },
    async getAuthorizationCode(code: string) {
      return codes.get(code) ?? false;
    },
    async revokeAuthorizationCode(code: { authorizationCode: string }) {
      return codes.delete(code.authorizationCode);
    },
    async saveToken(token: Stored, c: { id: string }, user: { id: string }) {
      const saved = { ...token, client: c, user };
      tokens.set(token.accessToken, saved);
      if (token.refreshToken) refreshTokens.set(token.refreshToken, saved);
      return saved;
    },
    async getAccessToken(accessToken: string) {
      return tokens.get(accessToken) ?? false;
    },
    async getRefreshToken(refreshToken: string) {
      return refreshTokens.get(refreshToken) ?? false;
    },
    // Open Collective's model deletes the used refresh token and its access token on rotation.
    async revokeToken(token: Stored) {
      const found = token.refreshToken ? refreshTokens.get(token.refreshToken) : undefined;
      if (!found) return false;
      refreshTokens.delete(found.refreshToken as string);
      tokens.delete(found.accessToken);
      return true;
    },
    async verifyScope() {
      return true;
    },
    async validateScope(_user: unknown, _client: unknown, scope: string[] | undefined) {
      return scope && scope.length > 0 ? scope : ["email"];
    },
  };
  const oauth = new OAuth2Server({
    model: model as never,
    accessTokenLifetime: 7_776_000,
    refreshTokenLifetime: 31_536_000,
    authorizationCodeLifetime: 300,
    alwaysIssueNewRefreshToken: true,
    allowEmptyState: false,
  });

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const body = req.method === "POST" ? Object.fromEntries(new URLSearchParams(await read(req))) : {};
      const request = new Request({
        method: req.method ?? "GET",
        headers: req.headers as Record<string, string>,
        query: Object.fromEntries(url.searchParams),
        body,
      });
      const response = new Response({ headers: {} });
      if (url.pathname === "/oauth/authorize") {
        // Open Collective's consent page posts on behalf of the signed-in user; here a fixed one.
        await oauth
          .authorize(request, response, { authenticateHandler: { handle: () => ({ id: "user-4242" }) } })
          .catch((error: { code?: number; name?: string }) => {
            // A redirect with `error=` was already set for errors after the client check; others stay here.
            if (response.status !== 302) {
              response.status = error.code ?? 400;
              response.body = { error: error.name };
            }
          });
      } else if (url.pathname === "/oauth/token") {
        if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        const grant = String(body.grant_type);
        await oauth.token(request, response).then(
          () => {
            grants[grant] = (grants[grant] ?? 0) + 1;
          },
          () => {
            grants[`${grant}:error`] = (grants[`${grant}:error`] ?? 0) + 1;
          },
        );
      } else if (url.pathname === "/api/me") {
        // The library leaves the status of a failed authentication to the glue, as Express's does.
        const token = await oauth
          .authenticate(request, response)
          .catch((error: { code?: number; name?: string }) => {
            response.status = error.code ?? 401;
            response.body = { error: error.name };
            return undefined;
          });
        if (token) {
          response.status = 200;
          response.body = { id: (token.user as { id: string }).id };
        }
      } else {
        response.status = 404;
        response.body = { error: "not_found" };
      }
      res.writeHead(response.status ?? 500, { "content-type": "application/json", ...response.headers });
      res.end(response.body === undefined ? "" : JSON.stringify(response.body));
    } catch (error) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "server_error", error_description: String(error) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    client,
    redirectUri,
    grants,
    accessTokens: () => [...tokens.keys()],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
