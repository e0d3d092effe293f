// An in-process OAuth token server on 127.0.0.1, adapted from
// packages/oauth-core/test/support/scripted-server.ts. It answers in the success shapes of the specs
// the adapters parse (GoCardless `/oauth/access_token`, TrueLayer `/connect/token`), issues expiring
// access tokens and single-use rotating refresh tokens: a refresh token works once, after that it is
// `400 invalid_grant`, as at Square (PKCE), Braintree, TrueLayer and Open Collective.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

export class TokenServer {
  /** @param {{ delayMs?: number, expiresIn?: number }} options delayMs: added to every token answer. */
  constructor(options = {}) {
    this.options = options;
    this.url = "";
    /** Requests received per `METHOD path grant`. */
    this.counts = new Map();
    this.tokenRequests = 0;
    this.maxInFlight = 0;
    this.inFlight = 0;
    this.counter = 0;
    this.liveRefreshTokens = new Set();
  }

  async start() {
    this.server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, { error: "server_error" });
      });
    });
    // 1,000 clients connect at once in the stampede: the default backlog (511) would drop some SYNs.
    await new Promise((resolve) =>
      this.server.listen({ port: 0, host: "127.0.0.1", backlog: 2048 }, resolve),
    );
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A grant as if a code exchange had happened: a live refresh token and an access token. */
  issueGrant() {
    const refreshToken = `rt-${++this.counter}-${randomUUID()}`;
    this.liveRefreshTokens.add(refreshToken);
    return { accessToken: `at-${++this.counter}-${randomUUID()}`, refreshToken };
  }

  count(method, path, grant = "") {
    return this.counts.get(`${method} ${path} ${grant}`.trim()) ?? 0;
  }

  async #handle(req, res) {
    const body = await readBody(req);
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const form = parseBody(body, req.headers["content-type"]);
    const grant = form.grant_type ?? "";
    const key = `${req.method} ${path} ${grant}`.trim();
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);

    if (req.method === "POST" && (path === "/oauth/revoke" || path === "/revoke")) return send(res, 200, {});
    if (req.method === "DELETE" && path === "/api/delete") return send(res, 200, {});
    if (req.method !== "POST" || (path !== "/oauth/access_token" && path !== "/connect/token")) {
      return send(res, 404, { error: "not_found" });
    }
    this.tokenRequests++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
      if (path === "/oauth/access_token") {
        // GoCardless: authorization_code only; a token that never expires, no refresh token.
        if (grant !== "authorization_code") return send(res, 400, { error: "unsupported_grant_type" });
        return send(res, 200, {
          access_token: `sandbox_${++this.counter}`,
          token_type: "bearer",
          scope: "read_write",
          organisation_id: "OR000123ABC",
          email: "owner@shop.example",
        });
      }
      // TrueLayer shape (generic RFC 6749 as well): code and rotating refresh grants.
      if (grant === "refresh_token") {
        if (!this.liveRefreshTokens.delete(form.refresh_token ?? "")) {
          return send(res, 400, {
            error: "invalid_grant",
            error_description: "refresh token is invalid or used",
          });
        }
      } else if (grant !== "authorization_code") {
        return send(res, 400, { error: "unsupported_grant_type" });
      }
      const next = this.issueGrant();
      return send(res, 200, {
        access_token: next.accessToken,
        expires_in: this.options.expiresIn ?? 3600,
        token_type: "Bearer",
        refresh_token: next.refreshToken,
        scope: "info accounts offline_access",
      });
    } finally {
      this.inFlight--;
    }
  }
}

function parseBody(body, contentType = "") {
  if (contentType.includes("application/json")) {
    try {
      return JSON.parse(body);
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function readBody(req) {
  return new Promise((resolve) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      data += chunk;
    });
    req.on("end", () => resolve(data));
    req.on("error", () => resolve(data));
  });
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
