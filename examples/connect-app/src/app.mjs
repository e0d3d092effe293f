// The connect app: a Hono app that connects merchants of every provider through the real redirect flow
// (authorize URL → consent → callback → code exchange → store), then refreshes and revokes them.
// Provider endpoints are Prism mocks; `/consent/:provider` stands in for the provider's consent page.

import { verifyBraintreeWebhook } from "@partner-oauth/braintree";
import {
  AuthorizationDeniedError,
  createOAuthClient,
  MemoryTokenStore,
  OAuthError,
  ReauthorizationRequiredError,
  RefreshPendingError,
  StateMismatchError,
  storeKey,
  WebhookVerificationError,
} from "@partner-oauth/core";
import { assertNoViolations, ContractViolationError, violationGuard, withPrefer } from "@partner-oauth/mocks";
import { verifySquareWebhook } from "@partner-oauth/square";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";
import { PROVIDER_IDS, PROVIDERS } from "./providers.mjs";
import { renderConsent, renderPage } from "./views.mjs";

/** @typedef {import("./providers.mjs").ProviderId} ProviderId */
/** @typedef {import("@partner-oauth/core").TokenStore} TokenStore */
/** @typedef {import("@partner-oauth/core").TokenUpdateEvent} TokenUpdateEvent */

/**
 * @typedef {object} Connection What the page lists for one connected account (never the token).
 * @property {ProviderId} provider
 * @property {string} account Our id for the merchant.
 * @property {string} key The token's store key.
 * @property {number} connectedAt Epoch ms.
 * @property {number | undefined} refreshedAt Epoch ms of the last refresh.
 * @property {number} refreshes How many times the token was refreshed.
 */

/** Time a provider gets per request (exchange, refresh, revoke). */
const REQUEST_TIMEOUT_MS = 10_000;
/** Time the consent stand-in gives the mock's authorize page. */
const CONSENT_TIMEOUT_MS = 5_000;
/** A connect flow must come back within 10 minutes; then its state cookie is gone. */
const FLOW_MAX_AGE_S = 600;
const FLASH_COOKIE = "flash";

/**
 * Creates the connect app.
 *
 * @param {object} options
 * @param {Partial<Record<ProviderId, string>>} options.mocks Base URL of each provider's mock
 *   (`startMock(provider).url`); providers without one are listed as unavailable.
 * @param {TokenStore} [options.store] Where tokens live; a MemoryTokenStore by default.
 * @param {string} [options.origin] The app's public origin, for redirect URIs. Defaults to the origin
 *   of the request, which is fine locally; behind a proxy set it (a Host header is client input).
 * @param {string | BufferSource} [options.cookieSecret] Key that signs the state cookie. Default: random
 *   per process, so flows in progress do not survive a restart.
 * @param {(message: string) => void} [options.log] Where failures are reported. Default console.error.
 * @param {() => number} [options.now] Epoch ms clock.
 * @param {{ square?: { signatureKey: string, notificationUrl?: string },
 *   braintree?: { publicKey: string, privateKey: string } }} [options.webhooks] Keys that verify the
 *   providers' revocation notices (`POST /webhooks/square`, `POST /webhooks/braintree`); a provider
 *   without keys has no webhook endpoint. Square's `notificationUrl` defaults to the app's origin +
 *   `/webhooks/square`, and must be exactly the URL registered with Square.
 */
export function createApp({
  mocks,
  store = new MemoryTokenStore(),
  origin,
  cookieSecret = crypto.getRandomValues(new Uint8Array(32)),
  log = (message) => console.error(message),
  now = Date.now,
  webhooks = {},
}) {
  /** @type {Map<string, Connection>} */
  const connections = new Map();
  /** The provider's merchant id (`provider/subject`) → our account, to map revocation notices. */
  /** @type {Map<string, string>} */
  const merchants = new Map();
  /** Accounts a verified revocation notice disconnected, newest first. */
  /** @type {Array<{ provider: string, account: string, subject: string, at: number }>} */
  const disconnected = [];
  let accountSeq = 0;

  // Keep the page's list in step with the store: every write or delete the clients make passes here.
  /** @param {TokenUpdateEvent} event */
  const onTokenUpdate = ({ key, reason, token }) => {
    const id = `${key.provider}/${key.account}`;
    if (!token) {
      const subject = [...merchants.keys()].find(
        (merchant) => merchant.startsWith(`${key.provider}/`) && merchants.get(merchant) === key.account,
      );
      if (subject) merchants.delete(subject);
      if (reason === "provider_revoked" && connections.has(id)) {
        disconnected.unshift({
          provider: key.provider,
          account: /** @type {string} */ (key.account),
          subject: subject?.slice(key.provider.length + 1) ?? "",
          at: now(),
        });
      }
      connections.delete(id);
    } else if (reason === "exchange") {
      if (token.subject)
        merchants.set(`${key.provider}/${token.subject}`, /** @type {string} */ (key.account));
      connections.set(id, {
        provider: /** @type {ProviderId} */ (key.provider),
        account: /** @type {string} */ (key.account),
        key: storeKey(key),
        connectedAt: now(),
        refreshedAt: undefined,
        refreshes: 0,
      });
    } else if (reason === "refresh") {
      const connection = connections.get(id);
      if (connection) {
        connection.refreshedAt = now();
        connection.refreshes++;
      }
    }
  };

  /** @type {Map<string, { main: any, exchange: any, refresh: any }>} */
  const clientCache = new Map();
  /** The OAuth clients of a provider: one per `Prefer` the mock needs, all over the same store. */
  const clientsFor = (/** @type {ProviderId} */ id, /** @type {string} */ appOrigin) => {
    const cacheKey = `${id} ${appOrigin}`;
    let clients = clientCache.get(cacheKey);
    if (!clients) {
      const definition = PROVIDERS[id];
      const make = (/** @type {string | undefined} */ prefer) => {
        const provider = definition.create({
          baseUrl: /** @type {string} */ (mocks[id]),
          redirectUri: new URL(`/callback/${id}`, appOrigin).toString(),
          ...(prefer ? { fetch: withPrefer(prefer) } : {}),
        });
        // Fail on any request or response the mock flags as breaking the provider's spec.
        provider.client.use(violationGuard);
        return createOAuthClient(provider, { store, now, timeoutMs: REQUEST_TIMEOUT_MS, onTokenUpdate });
      };
      const main = make(undefined);
      clients = {
        main,
        exchange: definition.prefer.exchange ? make(definition.prefer.exchange) : main,
        refresh: definition.prefer.refresh ? make(definition.prefer.refresh) : main,
      };
      clientCache.set(cacheKey, clients);
    }
    return clients;
  };

  const appOriginOf = (/** @type {import("hono").Context} */ c) => origin ?? new URL(c.req.url).origin;
  const flowCookie = (/** @type {ProviderId} */ id) => `oauth_flow_${id}`;
  /** The flow cookie travels only to its callback. */
  const flowCookiePath = (/** @type {ProviderId} */ id) => `/callback/${id}`;
  // Secure cookies need https; locally the app runs on plain http.
  const secure = (/** @type {import("hono").Context} */ c) => new URL(c.req.url).protocol === "https:";

  /** Shows a one-line message on the next page view (post/redirect/get). */
  const flash = async (
    /** @type {import("hono").Context} */ c,
    /** @type {"ok" | "error"} */ kind,
    /** @type {string} */ text,
  ) => {
    await setSignedCookie(c, FLASH_COOKIE, JSON.stringify({ kind, text: text.slice(0, 600) }), cookieSecret, {
      path: "/",
      httpOnly: true,
      sameSite: "Lax",
      secure: secure(c),
      maxAge: 60,
    });
  };

  /** Reports a failure on the page in words, never with a token or secret, and logs it. */
  const fail = async (
    /** @type {import("hono").Context} */ c,
    /** @type {ProviderId} */ id,
    /** @type {string} */ action,
    /** @type {unknown} */ error,
  ) => {
    const text = describeError(error, PROVIDERS[id].name, action);
    // OAuthError messages are redacted by the core; anything else is logged by name only.
    log(`[connect-app] ${action} ${id} failed: ${text}`);
    await flash(c, "error", text);
    return c.redirect("/", 303);
  };

  const app = new Hono();
  app.use(secureHeaders());
  // Form posts must come from this app's own pages; providers' webhooks carry a signature instead.
  const sameOrigin = csrf();
  app.use((c, next) => (c.req.path.startsWith("/webhooks/") ? next() : sameOrigin(c, next)));
  // The verifiers cap bodies too; this refuses a huge one before it is read into memory.
  app.use("/webhooks/*", bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.text("body too large", 413) }));

  app.get("/", async (c) => {
    let message;
    const raw = await getSignedCookie(c, cookieSecret, FLASH_COOKIE);
    if (raw) {
      try {
        message = JSON.parse(raw);
      } catch {
        message = undefined;
      }
    }
    if (raw !== undefined) deleteCookie(c, FLASH_COOKIE, { path: "/", secure: secure(c) });

    const rows = [];
    for (const [id, connection] of connections) {
      const token = await store.get(connection.key);
      if (!token) {
        // Removed behind the app's back (another client on the same store): forget it here too.
        connections.delete(id);
        continue;
      }
      rows.push({ ...connection, token });
    }
    c.header("Cache-Control", "no-store");
    return c.html(
      renderPage({
        providers: PROVIDER_IDS.map((id) => ({ id, ...PROVIDERS[id], available: Boolean(mocks[id]) })),
        rows,
        message,
        now: now(),
        disconnected,
      }),
    );
  });

  // 1. Start: build the authorize URL, keep state (+ PKCE verifier) in a signed cookie, go to consent.
  app.get("/connect/:provider", async (c) => {
    const id = providerParam(c.req.param("provider"), mocks);
    if (!id) return c.text("unknown provider", 404);
    try {
      const { main } = clientsFor(id, appOriginOf(c));
      const { url, state, codeVerifier } = await main.authorize(PROVIDERS[id].authorize);
      await setSignedCookie(c, flowCookie(id), JSON.stringify({ state, codeVerifier }), cookieSecret, {
        path: flowCookiePath(id),
        httpOnly: true,
        sameSite: "Lax", // sent on the top-level redirect back from the provider, not on cross-site posts
        secure: secure(c),
        maxAge: FLOW_MAX_AGE_S,
      });
      // A real app redirects to `url`; Prism cannot echo our state, so the stand-in page takes over.
      return c.redirect(`/consent/${id}?${new URLSearchParams({ authorize: url.toString() })}`, 302);
    } catch (error) {
      return fail(c, id, "connect", error);
    }
  });

  // 2. The consent stand-in: what the provider would show the merchant.
  app.get("/consent/:provider", (c) => {
    const id = providerParam(c.req.param("provider"), mocks);
    if (!id) return c.text("unknown provider", 404);
    const authorize = authorizeUrlParam(c.req.query("authorize"), /** @type {string} */ (mocks[id]));
    if (!authorize) return c.text("missing or foreign authorize URL", 400);
    c.header("Cache-Control", "no-store");
    return c.html(renderConsent({ id, name: PROVIDERS[id].name, authorize: authorize.toString() }));
  });

  app.post("/consent/:provider", async (c) => {
    const id = providerParam(c.req.param("provider"), mocks);
    if (!id) return c.text("unknown provider", 404);
    const form = await c.req.parseBody();
    const authorize = authorizeUrlParam(
      typeof form.authorize === "string" ? form.authorize : undefined,
      /** @type {string} */ (mocks[id]),
    );
    if (!authorize) return c.text("missing or foreign authorize URL", 400);
    // The provider echoes the state of the authorize URL; so does the stand-in.
    const callback = new URL(`/callback/${id}`, appOriginOf(c));
    callback.searchParams.set("state", authorize.searchParams.get("state") ?? "");
    if (form.decision !== "approve") {
      callback.searchParams.set("error", "access_denied");
      callback.searchParams.set("error_description", "The merchant denied access");
      return c.redirect(callback.toString(), 303);
    }
    try {
      // Ask the mock for the real authorize URL: Prism checks every parameter against the spec and
      // answers with the documented redirect, whose code (and Braintree's merchantId) we pass on.
      const response = await fetch(authorize, {
        redirect: "manual",
        signal: AbortSignal.timeout(CONSENT_TIMEOUT_MS),
      });
      assertNoViolations(response, { method: "GET", url: authorize.toString() });
      const location = response.headers.get("location");
      if (response.status !== 302 || !location) {
        throw new ConsentError(`the mock's authorize page answered ${response.status} without a redirect`);
      }
      const redirect = new URL(location);
      const code = redirect.searchParams.get("code");
      if (!code) throw new ConsentError("the mock's redirect carries no code");
      callback.searchParams.set("code", code);
      for (const name of PROVIDERS[id].callbackParams) {
        const value = redirect.searchParams.get(name);
        if (!value) throw new ConsentError(`the mock's redirect carries no ${name}`);
        callback.searchParams.set(name, value);
      }
    } catch (error) {
      return fail(c, id, "consent", error);
    }
    return c.redirect(callback.toString(), 303);
  });

  // 3. The redirect back: check state against the cookie, exchange the code, store the token.
  app.get("/callback/:provider", async (c) => {
    const id = providerParam(c.req.param("provider"), mocks);
    if (!id) return c.text("unknown provider", 404);
    const cookie = await getSignedCookie(c, cookieSecret, flowCookie(id));
    // One flow, one callback: whatever happens next, the state cannot be used again.
    deleteCookie(c, flowCookie(id), { path: flowCookiePath(id), secure: secure(c) });
    try {
      const flow = parseFlow(cookie);
      if (!flow) {
        throw new StateMismatchError(
          "no connect flow of this browser is waiting for this callback (state cookie missing, expired or tampered with)",
          { provider: id, operation: "callback" },
        );
      }
      const { exchange } = clientsFor(id, appOriginOf(c));
      const account = `merchant-${++accountSeq}`;
      const token = await exchange.handleCallback(c.req.url, {
        expectedState: flow.state,
        codeVerifier: flow.codeVerifier,
        account,
      });
      const who = token.subject ? ` (${token.subject})` : "";
      await flash(c, "ok", `Connected ${PROVIDERS[id].name} account ${account}${who}.`);
      return c.redirect("/", 303);
    } catch (error) {
      return fail(c, id, "connect", error);
    }
  });

  // 4. Refresh now, where the provider has refresh tokens.
  app.post("/refresh/:provider/:account", async (c) => {
    const id = providerParam(c.req.param("provider"), mocks);
    const account = c.req.param("account");
    if (!id || !connections.has(`${id}/${account}`)) return c.text("unknown account", 404);
    if (!PROVIDERS[id].refresh) return c.text(`${PROVIDERS[id].name} has no refresh tokens`, 400);
    try {
      await clientsFor(id, appOriginOf(c)).refresh.refresh(account);
      await flash(c, "ok", `Refreshed ${PROVIDERS[id].name} account ${account}.`);
      return c.redirect("/", 303);
    } catch (error) {
      return fail(c, id, "refresh", error);
    }
  });

  // 5. Revoke at the provider (then the store forgets it), or only forget where there is no revoke.
  app.post("/revoke/:provider/:account", async (c) => {
    const id = providerParam(c.req.param("provider"), mocks);
    const account = c.req.param("account");
    if (!id || !connections.has(`${id}/${account}`)) return c.text("unknown account", 404);
    const { main } = clientsFor(id, appOriginOf(c));
    try {
      if (PROVIDERS[id].revoke) {
        await main.revoke(account);
        await flash(c, "ok", `Revoked ${PROVIDERS[id].name} account ${account}.`);
      } else {
        await main.forget(account);
        await flash(
          c,
          "ok",
          `Disconnected ${PROVIDERS[id].name} account ${account} here; the grant stays until the merchant removes the app at ${PROVIDERS[id].name}.`,
        );
      }
      return c.redirect("/", 303);
    } catch (error) {
      return fail(c, id, PROVIDERS[id].revoke ? "revoke" : "disconnect", error);
    }
  });

  // 6. Revocation notices: verify the signature over the raw body, then remove the merchant's grant.
  /**
   * @param {import("hono").Context} c
   * @param {ProviderId} id
   * @param {() => Promise<{ notice?: import("@partner-oauth/core").RevocationNotice }>} verify
   */
  const webhook = async (c, id, verify) => {
    try {
      const { notice } = await verify();
      // Other event kinds are acknowledged, so the provider does not retry them.
      if (!notice) return c.text("ignored", 200);
      const account = (/** @type {string} */ merchantId) => merchants.get(`${id}/${merchantId}`);
      const { removed } = await clientsFor(id, appOriginOf(c)).main.applyRevocation(notice, { account });
      return c.text(removed ? "removed" : "nothing to remove", 200);
    } catch (error) {
      log(
        `[connect-app] webhook ${id} refused: ${error instanceof Error ? `${error.name}: ${error.message}` : "error"}`,
      );
      if (error instanceof WebhookVerificationError) return c.text(`refused: ${error.reason}`, 400);
      // A refresh held the grant's lease too long: the provider delivers the notice again later.
      if (error instanceof RefreshPendingError) return c.text("busy, retry", 503);
      return c.text("error", 500);
    }
  };

  app.post("/webhooks/square", async (c) => {
    const keys = webhooks.square;
    if (!keys || !mocks.square) return c.text("no webhook configured", 404);
    // The exact bytes Square signed: read the body raw, never through c.req.json().
    const body = await c.req.arrayBuffer();
    const notificationUrl = keys.notificationUrl ?? new URL("/webhooks/square", appOriginOf(c)).toString();
    return webhook(c, "square", () =>
      verifySquareWebhook(
        { body, signature: c.req.header("x-square-hmacsha256-signature") },
        { signatureKey: keys.signatureKey, notificationUrl, now },
      ),
    );
  });

  app.post("/webhooks/braintree", async (c) => {
    const keys = webhooks.braintree;
    if (!keys || !mocks.braintree) return c.text("no webhook configured", 404);
    const body = await c.req.arrayBuffer();
    return webhook(c, "braintree", () => verifyBraintreeWebhook(body, { ...keys, now }));
  });

  return app;
}

/** The consent stand-in could not get a code from the mock; its message is fixed text. */
class ConsentError extends Error {
  name = "ConsentError";
}

/** The provider id of a route parameter, if it is one this app has a mock for. */
function providerParam(/** @type {string} */ value, /** @type {Record<string, unknown>} */ mocks) {
  return Object.hasOwn(PROVIDERS, value) && mocks[value] ? /** @type {ProviderId} */ (value) : undefined;
}

/**
 * The authorize URL handed to the consent stand-in, only if it points at the provider's own mock:
 * the stand-in fetches it server-side, and must not fetch whatever a link says.
 */
function authorizeUrlParam(/** @type {string | undefined} */ value, /** @type {string} */ mockUrl) {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.origin !== new URL(mockUrl).origin || !url.searchParams.get("state")) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

/** @returns {{ state: string, codeVerifier: string | undefined } | undefined} */
function parseFlow(/** @type {string | false | undefined} */ cookie) {
  if (!cookie) return undefined; // absent, or its signature does not match (false)
  try {
    const { state, codeVerifier } = JSON.parse(cookie);
    if (typeof state !== "string" || !state) return undefined;
    return { state, codeVerifier: typeof codeVerifier === "string" ? codeVerifier : undefined };
  } catch {
    return undefined;
  }
}

/** A readable, secret-free sentence for a failure. */
export function describeError(/** @type {unknown} */ error, /** @type {string} */ name, action = "connect") {
  if (error instanceof AuthorizationDeniedError) {
    const why = error.description ? ` (${error.description})` : "";
    return `Access denied: ${name} did not authorize the app: ${error.code}${why}. Nothing was stored.`;
  }
  if (error instanceof StateMismatchError) {
    return `State check failed for ${name}: ${error.message}. The callback was ignored and nothing was stored.`;
  }
  if (error instanceof ReauthorizationRequiredError) {
    return `${name} rejected the grant: connect the account again. (${error.message})`;
  }
  // The core redacts these messages: they name the operation, status and provider error code.
  if (error instanceof OAuthError) return `${name} ${action} failed: ${error.name}: ${error.message}`;
  if (error instanceof ContractViolationError) {
    return `${name} ${action} failed: the mock flagged a spec violation on ${new URL(error.url).pathname}.`;
  }
  if (error instanceof ConsentError) return `${name} ${action} failed: ${error.message}.`;
  if (error instanceof Error && error.name === "TimeoutError") {
    return `${name} ${action} failed: the mock did not answer in time.`;
  }
  return `${name} ${action} failed: ${error instanceof Error ? error.name : "unexpected error"}.`;
}
