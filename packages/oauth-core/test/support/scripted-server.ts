import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the next token request should get instead of a normal answer. */
export type Fault =
  | { kind: "status"; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  /** Rotates the refresh token as usual, but answers with an `expires_in` no client may accept. */
  | { kind: "bad-expiry" }
  | { kind: "drop" }
  | { kind: "html" }
  | { kind: "truncated" }
  | { kind: "delay"; ms: number };

export interface ScriptedServerOptions {
  /** Access-token lifetime the server reports, in seconds. */
  expiresIn?: number;
  /** Omit `refresh_token` from refresh responses (the old one stays valid). */
  omitRefreshToken?: boolean;
  /** Send `refresh_token: ""` in refresh responses (the old one stays valid). */
  blankRefreshToken?: boolean;
  /** Delay every answer by this many ms (to widen race windows). */
  delayMs?: number;
  /**
   * A refresh token dies when it was not used for this long by `clock` (TrueLayer's 30-day window):
   * its refresh is `invalid_grant`. Refresh tokens never die of age without it.
   */
  refreshTokenLifetimeMs?: number;
  /** The clock refresh tokens age by. Default `Date.now`. */
  clock?: () => number;
}

/**
 * An in-process OAuth server on loopback for lifecycle tests. It issues expiring access tokens and
 * single-use rotating refresh tokens (a used refresh token is dead: `invalid_grant`), serves a
 * protected `/api/echo` that accepts only live access tokens, and can be scripted to fail.
 */
export class ScriptedOAuthServer {
  readonly requests: { path: string; grant?: string; body: string; authorization?: string }[] = [];
  readonly faults: Fault[] = [];
  readonly options: ScriptedServerOptions;
  /** Highest number of token requests in flight at once. */
  maxConcurrentTokenRequests = 0;
  #inFlight = 0;
  #server: Server | undefined;
  #counter = 0;
  #liveRefreshTokens = new Set<string>();
  /** Refresh token → when it was issued, for `refreshTokenLifetimeMs`. */
  #issuedAt = new Map<string, number>();
  /** Refresh requests answered 200, per refresh token presented (to count refreshes per grant). */
  readonly refreshed: string[] = [];
  #liveAccessTokens = new Set<string>();
  url = "";

  constructor(options: ScriptedServerOptions = {}) {
    this.options = options;
  }

  get tokenRequests(): number {
    return this.requests.filter((r) => r.path === "/token").length;
  }

  /** Issues a grant directly (as if a code exchange happened) and returns its tokens. */
  issueGrant(): { accessToken: string; refreshToken: string } {
    const accessToken = this.#newAccessToken();
    const refreshToken = `rt-${++this.#counter}-${crypto.randomUUID()}`;
    this.#addRefreshToken(refreshToken);
    return { accessToken, refreshToken };
  }

  /** Kills a refresh token at once (as if the merchant disconnected the app). */
  revokeRefreshToken(refreshToken: string): void {
    this.#liveRefreshTokens.delete(refreshToken);
  }

  #addRefreshToken(refreshToken: string): void {
    this.#liveRefreshTokens.add(refreshToken);
    this.#issuedAt.set(refreshToken, (this.options.clock ?? Date.now)());
  }

  /** Whether a refresh token outlived `refreshTokenLifetimeMs` unused. */
  #diedOfDisuse(refreshToken: string): boolean {
    const lifetime = this.options.refreshTokenLifetimeMs;
    const issued = this.#issuedAt.get(refreshToken);
    return (
      lifetime !== undefined && issued !== undefined && (this.options.clock ?? Date.now)() - issued > lifetime
    );
  }

  /** Resolves once a token request has arrived that the server has not answered yet (it may be delayed). */
  async tokenRequestArrived(): Promise<void> {
    while (this.#inFlight === 0) await sleep(5);
  }

  /** Whether the server would still accept this refresh token. */
  isLive(refreshToken: string | undefined): boolean {
    return refreshToken !== undefined && this.#liveRefreshTokens.has(refreshToken);
  }

  /** How many token requests were answered `invalid_grant`. */
  invalidGrants = 0;

  /** Makes an access token invalid at the API (as if the provider revoked it early). */
  killAccessToken(token: string): void {
    this.#liveAccessTokens.delete(token);
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      void this.#handle(req, res);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  #newAccessToken(): string {
    const token = `at-${++this.#counter}-${crypto.randomUUID()}`;
    this.#liveAccessTokens.add(token);
    return token;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const form = new URLSearchParams(body);
    this.requests.push({
      path,
      body,
      grant: form.get("grant_type") ?? undefined,
      authorization: req.headers.authorization,
    });
    if (path === "/api/echo") return this.#echo(req, res, body);
    if (path !== "/token") return send(res, 404, { error: "not_found" });
    this.#inFlight++;
    this.maxConcurrentTokenRequests = Math.max(this.maxConcurrentTokenRequests, this.#inFlight);
    try {
      if (this.options.delayMs) await sleep(this.options.delayMs);
      const fault = this.faults.shift();
      if (fault?.kind === "delay") await sleep(fault.ms);
      if (fault?.kind === "drop") return void req.socket.destroy();
      if (fault?.kind === "html")
        return sendRaw(res, 200, "text/html", "<html><body>Service Unavailable</body></html>");
      if (fault?.kind === "truncated")
        return sendRaw(res, 200, "application/json", '{"access_token":"at-trunc');
      if (fault?.kind === "status") {
        return sendRaw(
          res,
          fault.status,
          fault.contentType ?? "application/json",
          fault.body ?? '{"error":"server_error"}',
          fault.headers,
        );
      }
      if (form.get("grant_type") === "authorization_code") {
        const grant = this.issueGrant();
        return send(res, 200, {
          access_token: grant.accessToken,
          refresh_token: grant.refreshToken,
          token_type: "Bearer",
          expires_in: this.options.expiresIn ?? 3600,
        });
      }
      if (form.get("grant_type") !== "refresh_token")
        return send(res, 400, { error: "unsupported_grant_type" });
      const presented = form.get("refresh_token") ?? "";
      // Rotating mode: a refresh token works once. Non-rotating mode: it stays valid and is not re-sent.
      const rotating = !this.options.omitRefreshToken && !this.options.blankRefreshToken;
      const valid =
        !this.#diedOfDisuse(presented) &&
        (rotating ? this.#liveRefreshTokens.delete(presented) : this.#liveRefreshTokens.has(presented));
      if (!valid) {
        this.invalidGrants++;
        return send(res, 400, {
          error: "invalid_grant",
          error_description: "refresh token is invalid or used",
        });
      }
      const answer: Record<string, unknown> = {
        access_token: this.#newAccessToken(),
        token_type: "Bearer",
        expires_in: fault?.kind === "bad-expiry" ? "3600.5" : (this.options.expiresIn ?? 3600),
      };
      if (this.options.blankRefreshToken) answer.refresh_token = "";
      if (rotating) {
        const next = `rt-${++this.#counter}-${crypto.randomUUID()}`;
        this.#addRefreshToken(next);
        answer.refresh_token = next;
      } else {
        this.#issuedAt.set(presented, (this.options.clock ?? Date.now)());
      }
      this.refreshed.push(presented);
      return send(res, 200, answer);
    } finally {
      this.#inFlight--;
    }
  }

  #echo(req: IncomingMessage, res: ServerResponse, body: string): void {
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!this.#liveAccessTokens.has(token)) send(res, 401, { error: "invalid_token" });
    else send(res, 200, { ok: true, body });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (chunk: Buffer) => {
      data += chunk.toString();
    });
    req.on("end", () => resolve(data));
    req.on("error", () => resolve(data));
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, "application/json", JSON.stringify(body));
}

function sendRaw(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, "Content-Type": contentType });
  res.end(body);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
