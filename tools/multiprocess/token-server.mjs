import { createServer } from "node:http";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A loopback token server whose refresh tokens are single-use and rotate, like Braintree's, TrueLayer's
 * and Open Collective's: a used refresh token answers `invalid_grant`. It keeps each grant's chain, so
 * a round can tell whether the store still holds the grant's one live refresh token, and records who
 * consumed which token and whether the answer reached them (for the loss classification).
 * Hooks let a test act at two moments of a refresh: before the token is consumed, and after it was
 * consumed but before the answer is sent (returning "drop" closes the connection unanswered).
 */
export class RotatingTokenServer {
  constructor({ latencyMs = 25 } = {}) {
    this.latencyMs = latencyMs;
    this.hooks = {};
    this.counter = 0;
    /** refresh token → { grant, live } */
    this.tokens = new Map();
    /** Every access token issued, to look for in what a store keeps. */
    this.accessTokens = new Set();
    /** grant → the refresh token that is live now */
    this.liveOf = new Map();
    this.resetStats();
  }

  resetStats() {
    this.stats = { refreshRequests: 0, answered: 0, invalidGrants: 0, consumptions: [] };
  }

  issueGrant() {
    const grant = `g${++this.counter}`;
    const refreshToken = this.#rotate(grant, undefined);
    const accessToken = `at-${grant}-0-${crypto.randomUUID()}`;
    this.accessTokens.add(accessToken);
    return { grant, refreshToken, accessToken };
  }

  /** Every refresh and access token this server issued. */
  issuedSecrets() {
    return [...this.tokens.keys(), ...this.accessTokens];
  }

  isLive(refreshToken) {
    return refreshToken !== undefined && this.tokens.get(refreshToken)?.live === true;
  }

  /** The grant a refresh token belongs to, and the refresh token live now in that grant. */
  grantOf(refreshToken) {
    return this.tokens.get(refreshToken)?.grant;
  }

  liveTokenOf(grant) {
    return this.liveOf.get(grant);
  }

  async start() {
    this.server = createServer((req, res) => void this.#handle(req, res));
    await new Promise((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }

  #rotate(grant, used) {
    if (used) this.tokens.get(used).live = false;
    const next = `rt-${grant}-${++this.counter}-${crypto.randomUUID()}`;
    this.tokens.set(next, { grant, live: true });
    this.liveOf.set(grant, next);
    return next;
  }

  async #handle(req, res) {
    let body = "";
    for await (const chunk of req) body += chunk;
    const form = new URLSearchParams(body);
    const worker = String(req.headers["x-worker"] ?? "");
    if (req.url !== "/token" || form.get("grant_type") !== "refresh_token") {
      return send(res, 400, { error: "unsupported_grant_type" });
    }
    this.stats.refreshRequests++;
    await sleep(this.latencyMs);
    await this.hooks.beforeConsume?.(worker);
    const presented = form.get("refresh_token") ?? "";
    const entry = this.tokens.get(presented);
    if (!entry?.live) {
      this.stats.invalidGrants++;
      return send(res, 400, {
        error: "invalid_grant",
        error_description: "refresh token is invalid or used",
      });
    }
    const next = this.#rotate(entry.grant, presented);
    const consumption = { worker, grant: entry.grant, issued: next, answered: false };
    this.stats.consumptions.push(consumption);
    if ((await this.hooks.afterConsume?.(worker)) === "drop") return void req.socket.destroy();
    consumption.answered = true;
    this.stats.answered++;
    const accessToken = `at-${entry.grant}-${this.counter}-${crypto.randomUUID()}`;
    this.accessTokens.add(accessToken);
    send(res, 200, {
      access_token: accessToken,
      token_type: "Bearer",
      refresh_token: next,
      expires_in: 3600,
    });
  }
}

function send(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
