// End to end: the five Prism mocks, the app on a free port, and headless Chromium clicking through
// connect → approve → refresh → revoke for every provider, plus a denied and a forged callback.
// Needs Debian's chromium (`apt-get install -y chromium`); CHROMIUM_PATH overrides where it is.
import { createHash, createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { MemoryTokenStore } from "@partner-oauth/core";
import { startMock } from "@partner-oauth/mocks";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApp } from "../src/app.mjs";
import { PROVIDER_IDS } from "../src/providers.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = fileURLToPath(new URL("./screenshot.png", import.meta.url));
const STEP_MS = 30_000;
/** Webhook keys the test signs revocation notices with, as Square and Braintree would. */
const SQUARE_SIGNATURE_KEY = "e2e-square-signature-key";
const BRAINTREE_KEYS = { publicKey: "e2e_public_key", privateKey: "e2e_private_key" };

/** What each provider's row must show: the mocks answer with the specs' documented examples. */
const EXPECTED = {
  gocardless: { subject: "OR000123ABC", scopes: "read_write", refresh: false, remove: "revoke" },
  truelayer: {
    subject: "not reported",
    scopes: "info accounts balance transactions offline_access",
    refresh: true,
    remove: "revoke",
  },
  // Square's token response has no scopes: the requested ones, carried in the state. Its refresh
  // example carries another expiry.
  square: {
    subject: "MLQW7K2HJ2RDE",
    scopes: "MERCHANT_PROFILE_READ PAYMENTS_WRITE",
    refresh: true,
    remove: "revoke",
  },
  braintree: { subject: "g8cnjbnz83htzgm4", scopes: "read_write", refresh: true, remove: "revoke" },
  opencollective: { subject: "not reported", scopes: "email account", refresh: true, remove: "disconnect" },
};
/** Providers whose refresh example has a fixed expiry different from the exchange example's. */
const EXPIRY_CHANGES_ON_REFRESH = new Set(["square", "braintree"]);

/** Remembers every token written, to prove none ever reaches a page or a log line. */
class RecordingStore extends MemoryTokenStore {
  secrets = new Set();
  async set(key, token) {
    for (const secret of [token.accessToken, token.refreshToken]) if (secret) this.secrets.add(secret);
    return super.set(key, token);
  }
}

const store = new RecordingStore();
const logs = [];
let mocks = [];
let server;
let base;
let browser;
let page;

/** Resolves `promise`, or rejects after `ms`: no teardown step may hang the suite. */
function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\``);
  }
  const started = await Promise.allSettled(
    PROVIDER_IDS.map((id) => startMock(id, { startTimeoutMs: 60_000 })),
  );
  mocks = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = started.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;

  const app = createApp({
    mocks: Object.fromEntries(PROVIDER_IDS.map((id, i) => [id, mocks[i].url])),
    store,
    log: (line) => logs.push(line),
    webhooks: { square: { signatureKey: SQUARE_SIGNATURE_KEY }, braintree: BRAINTREE_KEYS },
  });
  const port = await within(
    10_000,
    new Promise((resolve, reject) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
      server.once("error", reject);
    }),
    "starting the app",
  );
  base = `http://127.0.0.1:${port}`;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.setDefaultNavigationTimeout(15_000);
});

afterAll(async () => {
  const steps = [
    browser && within(10_000, browser.close(), "closing Chromium"),
    server &&
      within(
        5_000,
        new Promise((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections?.();
        }),
        "closing the app",
      ),
    ...mocks.map((m) => within(10_000, m.stop(), "stopping a mock")),
  ];
  const results = await Promise.allSettled(steps.filter(Boolean));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
});

/** Clicks, then waits until the browser has loaded `path` (after any redirects). */
async function clickAndLand(locator, path) {
  const landed = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && new URL(r.url()).pathname === path,
    { timeout: 15_000 },
  );
  await locator.click();
  const response = await landed;
  expect(response.status()).toBe(200);
  await page.waitForLoadState("domcontentloaded");
}

/** The page's text, after checking it holds no token the store ever saw. */
async function pageText() {
  const content = await page.content();
  for (const secret of store.secrets) expect(content).not.toContain(secret);
  return text(page.locator("body"));
}

/** An element's text with the template's whitespace collapsed. */
async function text(locator) {
  return ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();
}

async function flash() {
  const banner = page.getByTestId("flash");
  return { kind: await banner.getAttribute("data-kind"), text: await text(banner) };
}

const row = (id) => page.locator(`[data-testid="account"][data-provider="${id}"]`);
const cell = (id, name) => text(row(id).getByTestId(name));

/** Posts a revocation notice for `merchantId`, signed as the provider signs it (or with a wrong key). */
async function postNotice(id, merchantId, { forge = false } = {}) {
  const url = `${base}/webhooks/${id}`;
  let init;
  if (id === "square") {
    const body = JSON.stringify({
      merchant_id: merchantId,
      type: "oauth.authorization.revoked",
      event_id: crypto.randomUUID(),
      created_at: new Date().toISOString(),
      data: { type: "revocation", id: "", object: { revocation: { revoker_type: "MERCHANT" } } },
    });
    const key = forge ? "not-the-key" : SQUARE_SIGNATURE_KEY;
    const signature = createHmac("sha256", key)
      .update(url + body)
      .digest("base64");
    init = {
      headers: { "content-type": "application/json", "x-square-hmacsha256-signature": signature },
      body,
    };
  } else {
    const xml = `<notification>
  <timestamp type="datetime">${new Date().toISOString().replace(/\.\d+Z$/, "Z")}</timestamp>
  <kind>oauth_access_revoked</kind>
  <subject><oauth-application-revocation><merchant-id>${merchantId}</merchant-id></oauth-application-revocation></subject>
</notification>`;
    const payload = `${Buffer.from(xml).toString("base64")}\n`;
    const key = createHash("sha1")
      .update(forge ? "not-the-key" : BRAINTREE_KEYS.privateKey)
      .digest();
    const signature = `${BRAINTREE_KEYS.publicKey}|${createHmac("sha1", key).update(payload).digest("hex")}`;
    init = {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ bt_signature: signature, bt_payload: payload }).toString(),
    };
  }
  return fetch(url, { method: "POST", ...init, signal: AbortSignal.timeout(10_000) });
}

async function startConnect(id) {
  await page.goto(`${base}/`);
  await clickAndLand(page.getByTestId(`connect-${id}`), `/consent/${id}`);
  expect(await text(page.locator("h1"))).toMatch(/^Authorize .+\?$/);
}

describe.sequential("connect app in Chromium", () => {
  test("lists the five providers with a Connect button each", async () => {
    await page.goto(`${base}/`);
    for (const id of PROVIDER_IDS) await expect(page.getByTestId(`connect-${id}`).count()).resolves.toBe(1);
    expect(await text(page.getByTestId("no-accounts"))).toContain("No connected accounts");
  });

  for (const id of PROVIDER_IDS) {
    test(
      `connect ${id}: Connect → Approve shows the account`,
      async () => {
        await startConnect(id);
        await clickAndLand(page.getByTestId("approve"), "/");
        const message = await flash();
        expect(message.kind, message.text).toBe("ok");
        expect(message.text).toMatch(/^Connected .+ account merchant-\d+/);
        await expect(row(id).count()).resolves.toBe(1);
        expect(await cell(id, "subject")).toBe(EXPECTED[id].subject);
        expect(await cell(id, "scopes")).toBe(EXPECTED[id].scopes);
        expect(await cell(id, "updated")).toMatch(/^connected /);
        if (id === "gocardless") expect(await cell(id, "expiry")).toBe("never expires");
        else expect(await cell(id, "expiry")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((in|expired) /);
        await pageText();
      },
      STEP_MS,
    );
  }

  test(
    "screenshot with all five connected",
    async () => {
      await page.goto(`${base}/`);
      await expect(page.locator('[data-testid="account"]').count()).resolves.toBe(5);
      await page.screenshot({ path: SCREENSHOT, fullPage: true, timeout: 15_000 });
      expect(existsSync(SCREENSHOT)).toBe(true);
    },
    STEP_MS,
  );

  for (const id of PROVIDER_IDS) {
    test(
      `refresh ${id}`,
      async () => {
        await page.goto(`${base}/`);
        const refresh = row(id).getByTestId("refresh");
        if (!EXPECTED[id].refresh) {
          // GoCardless has no refresh tokens: no button, and the page says the token never expires.
          await expect(refresh.count()).resolves.toBe(0);
          expect(await cell(id, "expiry")).toBe("never expires");
          return;
        }
        const before = { expiry: await cell(id, "expiry"), updated: await cell(id, "updated") };
        await clickAndLand(refresh, "/");
        const message = await flash();
        expect(message.kind, message.text).toBe("ok");
        expect(message.text).toMatch(/^Refreshed /);
        const updated = await cell(id, "updated");
        expect(updated).not.toBe(before.updated);
        expect(updated).toMatch(/^refreshed 1× \(last /);
        if (EXPIRY_CHANGES_ON_REFRESH.has(id)) expect(await cell(id, "expiry")).not.toBe(before.expiry);
        expect(await cell(id, "subject")).toBe(EXPECTED[id].subject);
        await pageText();
      },
      STEP_MS,
    );
  }

  for (const id of PROVIDER_IDS) {
    test(
      `${EXPECTED[id].remove} ${id}`,
      async () => {
        await page.goto(`${base}/`);
        const others = await page.locator('[data-testid="account"]').count();
        if (EXPECTED[id].remove === "disconnect") {
          // Open Collective has no revoke endpoint: the page says Disconnect only forgets locally.
          await expect(row(id).getByTestId("revoke").count()).resolves.toBe(0);
          expect(await text(row(id))).toContain("forgets locally only");
        }
        await clickAndLand(row(id).getByTestId(EXPECTED[id].remove), "/");
        const message = await flash();
        expect(message.kind, message.text).toBe("ok");
        expect(message.text).toMatch(
          EXPECTED[id].remove === "revoke" ? /^Revoked / : /^Disconnected .+ here/,
        );
        await expect(row(id).count()).resolves.toBe(0);
        await expect(page.locator('[data-testid="account"]').count()).resolves.toBe(others - 1);
      },
      STEP_MS,
    );
  }

  test(
    "Deny shows access denied and stores nothing",
    async () => {
      const tokens = store.size;
      await startConnect("gocardless");
      await clickAndLand(page.getByTestId("deny"), "/");
      const message = await flash();
      expect(message.kind).toBe("error");
      expect(message.text).toContain("Access denied");
      expect(message.text).toContain("access_denied");
      await expect(row("gocardless").count()).resolves.toBe(0);
      expect(store.size).toBe(tokens);
    },
    STEP_MS,
  );

  test(
    "a callback with a forged state is refused",
    async () => {
      const tokens = store.size;
      // A real flow is in progress (its state cookie is set), but the callback carries another state.
      await startConnect("truelayer");
      await page.goto(`${base}/callback/truelayer?code=stolen-code&state=forged-state`);
      expect(new URL(page.url()).pathname).toBe("/");
      const message = await flash();
      expect(message.kind).toBe("error");
      expect(message.text).toContain("State check failed");
      expect(message.text).toContain("does not match");
      await expect(row("truelayer").count()).resolves.toBe(0);
      expect(store.size).toBe(tokens);
    },
    STEP_MS,
  );

  test(
    "a callback with a tampered state cookie is refused",
    async () => {
      const tokens = store.size;
      await page.context().addCookies([
        {
          name: "oauth_flow_square",
          value: '{"state":"forged-state"}.AAAA',
          url: `${base}/callback/square`,
        },
      ]);
      await page.goto(`${base}/callback/square?code=stolen-code&state=forged-state`);
      const message = await flash();
      expect(message.kind).toBe("error");
      expect(message.text).toContain("State check failed");
      expect(message.text).toContain("tampered");
      expect(store.size).toBe(tokens);
    },
    STEP_MS,
  );

  test(
    "the consent stand-in only fetches the provider's own mock",
    async () => {
      const foreign = new URL(`${base}/consent/gocardless`);
      foreign.searchParams.set("authorize", "http://169.254.169.254/latest?state=x");
      const response = await fetch(foreign, { signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBe(400);
    },
    STEP_MS,
  );

  for (const id of ["square", "braintree"]) {
    test(
      `${id} revocation notice: a connected merchant is shown as disconnected`,
      async () => {
        await startConnect(id);
        await clickAndLand(page.getByTestId("approve"), "/");
        await expect(row(id).count()).resolves.toBe(1);
        const account = await row(id).getAttribute("data-account");
        const subject = EXPECTED[id].subject;

        // A notice signed with another key is refused and the merchant stays connected.
        const forged = await postNotice(id, subject, { forge: true });
        expect(forged.status).toBe(400);
        expect(await forged.text()).toBe("refused: signature_mismatch");
        await page.goto(`${base}/`);
        await expect(row(id).count()).resolves.toBe(1);

        const notice = await postNotice(id, subject);
        expect(notice.status).toBe(200);
        expect(await notice.text()).toBe("removed");
        await page.goto(`${base}/`);
        await expect(row(id).count()).resolves.toBe(0);
        const shown = page.locator(
          `[data-testid="disconnected"][data-provider="${id}"][data-account="${account}"]`,
        );
        expect(await text(shown)).toMatch(/disconnected — the merchant revoked access at (Square|Braintree)/);
        expect(await text(shown)).toContain(subject);
        await pageText();

        // The provider delivers again (a retry): acknowledged, nothing left to remove.
        const again = await postNotice(id, subject);
        expect(again.status).toBe(200);
        expect(await again.text()).toBe("nothing to remove");
      },
      STEP_MS,
    );
  }

  test("no log line holds a token", () => {
    expect(logs.length).toBeGreaterThan(0); // the denied and forged flows were logged
    for (const line of logs) for (const secret of store.secrets) expect(line).not.toContain(secret);
  });
});
