import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/**
 * A real oidc-provider 9 on 127.0.0.1 (an ephemeral port), with its development login and consent
 * pages, PKCE, rotating refresh tokens, revocation, introspection and client credentials; two
 * confidential clients, one per client-authentication method.
 */
export interface OidcServer {
  issuer: string;
  redirectUri: string;
  clients: { basic: { id: string; secret: string }; post: { id: string; secret: string } };
  /** Token-endpoint requests by grant_type, counted from the server's own events. */
  grants: Record<string, number>;
  stop(): Promise<void>;
}

export async function startOidcServer(): Promise<OidcServer> {
  const redirectUri = "https://partner.example/oauth/callback";
  const clients = {
    basic: { id: "client-basic", secret: "basic-secret:with+odd/chars_0123456789" },
    post: { id: "client-post", secret: "post-secret-0123456789abcdefghijkl" },
  };
  const grants: Record<string, number> = {};
  // The issuer needs the port, which exists once listening: bind first, then mount the provider.
  const { createServer } = await import("node:http");
  let handler: ((req: unknown, res: unknown) => void) | undefined;
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = (c: { id: string; secret: string }, method: string) => ({
    client_id: c.id,
    client_secret: c.secret,
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code", "refresh_token", "client_credentials"],
    response_types: ["code"],
    token_endpoint_auth_method: method,
    scope: "openid offline_access api:read",
  });
  const provider = new Provider(issuer, {
    clients: [client(clients.basic, "client_secret_basic"), client(clients.post, "client_secret_post")],
    scopes: ["openid", "offline_access", "api:read"],
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      clientCredentials: { enabled: true },
    },
    // Every code grant gets a refresh token, rotated on every use (the default rotates only late).
    issueRefreshToken: async () => true,
    rotateRefreshToken: () => true,
    cookies: { keys: ["test-cookie-key-0123456789abcdef"] },
    ttl: { AccessToken: 3600, ClientCredentials: 600, RefreshToken: 86_400 },
    renderError: (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = "json";
      ctx.body = JSON.stringify(out);
    },
  });
  provider.on("grant.success", (ctx: unknown) => {
    const grantType =
      (ctx as { oidc?: { params?: { grant_type?: string } } }).oidc?.params?.grant_type ?? "?";
    grants[grantType] = (grants[grantType] ?? 0) + 1;
  });
  provider.on("grant.error", (ctx: unknown) => {
    const grantType =
      (ctx as { oidc?: { params?: { grant_type?: string } } }).oidc?.params?.grant_type ?? "?";
    grants[`${grantType}:error`] = (grants[`${grantType}:error`] ?? 0) + 1;
  });
  // oidc-provider warns about its development keys and pages; expected here.
  // biome-ignore lint/suspicious/noExplicitAny: oidc-provider's Koa callback is untyped here.
  handler = (provider as any).callback();
  return {
    issuer,
    redirectUri,
    clients,
    grants,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Signs in and consents through oidc-provider's interaction endpoints with plain fetch, as a browser
 * would (cookies carried by hand, redirects followed one by one), and returns the callback URL the
 * browser would land on.
 */
export async function consent(
  authorizationUrl: URL,
  redirectUri: string,
  login = "merchant-42",
): Promise<string> {
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      signal: AbortSignal.timeout(5000),
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = (pair as string).indexOf("=");
      cookies.set((pair as string).slice(0, at), (pair as string).slice(at + 1));
    }
    return response;
  };
  let next = authorizationUrl.href;
  for (let step = 0; step < 12; step++) {
    if (next.startsWith(redirectUri)) return next;
    const response = await send(next);
    if (response.status === 200 && new URL(next).pathname.startsWith("/interaction/")) {
      const page = await response.text();
      const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
      const form = new URLSearchParams(
        prompt === "login" ? { prompt, login, password: "any" } : { prompt: prompt ?? "consent" },
      );
      const submitted = await send(next, {
        method: "POST",
        body: form,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      await submitted.body?.cancel();
      next = new URL(submitted.headers.get("location") ?? "", next).href;
      continue;
    }
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (!location) throw new Error(`no redirect from ${new URL(next).pathname} (HTTP ${response.status})`);
    next = new URL(location, next).href;
  }
  throw new Error("the authorization flow did not reach the redirect URI");
}
