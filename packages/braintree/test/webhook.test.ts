import { createHash, createHmac } from "node:crypto";
import { createOAuthClient, MemoryTokenStore, storeKey, WebhookVerificationError } from "@partner-oauth/core";
import { assertNoSecrets } from "@partner-oauth/mocks";
import braintreeSdk from "braintree";
import { describe, expect, it } from "vitest";
import { braintree, verifyBraintreeWebhook, verifyBraintreeWebhookFields } from "../src/index.js";

// The partner's API key pair: Braintree signs webhooks with it (not the OAuth client credentials).
const publicKey = "partner_public_key";
const privateKey = "0f3c5a8e2b7d41e69c0a7f1d3e5b9c2a";
const options = { publicKey, privateKey };
const sdk = new braintreeSdk.BraintreeGateway({
  environment: braintreeSdk.Environment.Sandbox,
  merchantId: "partner_merchant",
  publicKey,
  privateKey,
});
const REVOKED = braintreeSdk.WebhookNotification.Kind.OAuthAccessRevoked as string;

/** What the SDK's webhook testing helper posts, as a raw form body. */
function formBody(fields: { bt_signature: string; bt_payload: string }): string {
  return new URLSearchParams(fields).toString();
}

/** Signs any payload as Braintree does (checked against the SDK's parser below). */
function sign(payloadXml: string | Uint8Array, key = privateKey) {
  const payload = `${Buffer.from(payloadXml).toString("base64")}\n`;
  const digest = createHmac("sha1", createHash("sha1").update(key).digest()).update(payload).digest("hex");
  return { bt_signature: `${publicKey}|${digest}`, bt_payload: payload };
}

const revocationXml = (timestamp: string, merchantId = "merchant-7") => `<notification>
  <timestamp type="datetime">${timestamp}</timestamp>
  <kind>oauth_access_revoked</kind>
  <subject><oauth-application-revocation>
    <merchant-id>${merchantId}</merchant-id>
    <oauth-application-client-id>client_id$sandbox$partner</oauth-application-client-id>
  </oauth-application-revocation></subject>
</notification>`;

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  assertNoSecrets(error, [privateKey]);
  return (error as WebhookVerificationError).reason;
}

describe("Braintree webhooks: notifications the official SDK signs", () => {
  it("verifies and parses the SDK's sample oauth_access_revoked notification", async () => {
    const sample = sdk.webhookTesting.sampleNotification(REVOKED, "merchant-7");
    const parsed = await verifyBraintreeWebhook(formBody(sample), options);
    expect(parsed).toMatchObject({
      kind: "oauth_access_revoked",
      merchantId: "merchant-7",
      oauthApplicationClientId: "oauth_application_client_id",
      notice: { provider: "braintree", merchantId: "merchant-7" },
    });
    expect(Math.abs(parsed.timestamp - Date.now())).toBeLessThan(60_000);
    // The fields a framework's form parser gives verify the same way.
    await expect(verifyBraintreeWebhookFields(sample, options)).resolves.toMatchObject({
      merchantId: "merchant-7",
    });
  });

  it("parses other kinds as unknown, not as errors", async () => {
    const sample = sdk.webhookTesting.sampleNotification("dispute_opened", "dispute-1");
    await expect(verifyBraintreeWebhook(formBody(sample), options)).resolves.toMatchObject({
      kind: "unknown",
      providerKind: "dispute_opened",
    });
  });

  it("the test signer agrees with the SDK's parser", async () => {
    const signed = sign(revocationXml(new Date().toISOString().replace(/\.\d+Z$/, "Z")));
    const notification = await sdk.webhookNotification.parse(signed.bt_signature, signed.bt_payload);
    expect(notification.kind).toBe(REVOKED);
    expect(notification.oauthAccessRevocation?.merchantId).toBe("merchant-7");
    await expect(verifyBraintreeWebhookFields(signed, options)).resolves.toMatchObject({
      merchantId: "merchant-7",
    });
  });

  it("the SDK cannot sign or verify with OAuth client credentials: the API key pair is what signs", () => {
    const oauthOnly = new braintreeSdk.BraintreeGateway({
      clientId: "client_id$sandbox$partner",
      clientSecret: "client_secret$sandbox$secret",
    });
    expect(() => oauthOnly.webhookTesting.sampleNotification(REVOKED, "merchant-7")).toThrow(TypeError);
  });
});

describe("Braintree webhooks: bad input is refused with a typed error", () => {
  const sample = () => sdk.webhookTesting.sampleNotification(REVOKED, "merchant-7");

  it("a flipped bit in the payload or the signature", async () => {
    const good = sample();
    const i = 40;
    const flipped = String.fromCharCode(good.bt_payload.charCodeAt(i) ^ 1);
    const payload = good.bt_payload.slice(0, i) + flipped + good.bt_payload.slice(i + 1);
    expect(await rejection(verifyBraintreeWebhookFields({ ...good, bt_payload: payload }, options))).toBe(
      "signature_mismatch",
    );
    const last = good.bt_signature.at(-1) === "0" ? "1" : "0";
    const signature = good.bt_signature.slice(0, -1) + last;
    expect(await rejection(verifyBraintreeWebhookFields({ ...good, bt_signature: signature }, options))).toBe(
      "signature_mismatch",
    );
  });

  it("a wrong private key, another public key", async () => {
    const good = sample();
    expect(
      await rejection(verifyBraintreeWebhookFields(good, { publicKey, privateKey: `${privateKey}x` })),
    ).toBe("signature_mismatch");
    expect(await rejection(verifyBraintreeWebhookFields(good, { publicKey: "other", privateKey }))).toBe(
      "unknown_key",
    );
  });

  it("a truncated or oversized payload, a truncated form body", async () => {
    const good = sample();
    const truncated = { ...good, bt_payload: good.bt_payload.slice(0, 100) };
    expect(await rejection(verifyBraintreeWebhookFields(truncated, options))).toBe("signature_mismatch");
    const huge = { ...good, bt_payload: "A".repeat(200 * 1024) };
    expect(await rejection(verifyBraintreeWebhookFields(huge, options))).toBe("body_too_large");
    expect(await rejection(verifyBraintreeWebhook("x".repeat(200 * 1024), options))).toBe("body_too_large");
    const body = formBody(good);
    expect(await rejection(verifyBraintreeWebhook(body.slice(0, body.length - 20), options))).toBe(
      "signature_mismatch",
    );
  });

  it("a body or payload that is not UTF-8", async () => {
    const raw = new TextEncoder().encode(formBody(sample()));
    const broken = new Uint8Array([...raw, 0xff]);
    expect(await rejection(verifyBraintreeWebhook(broken, options))).toBe("body_not_utf8");
    const latin1Xml = Buffer.from(
      revocationXml(new Date().toISOString()).replace("merchant-7", "m\u00e9"),
      "latin1",
    );
    expect(await rejection(verifyBraintreeWebhookFields(sign(latin1Xml), options))).toBe("body_not_utf8");
  });

  it("a missing signature or payload, a parsed object instead of the raw body", async () => {
    const good = sample();
    expect(
      await rejection(verifyBraintreeWebhook(`bt_payload=${encodeURIComponent(good.bt_payload)}`, options)),
    ).toBe("missing_signature");
    expect(await rejection(verifyBraintreeWebhookFields({ ...good, bt_payload: undefined }, options))).toBe(
      "missing_body",
    );
    expect(await rejection(verifyBraintreeWebhook(good as unknown as string, options))).toBe("missing_body");
    expect(await rejection(verifyBraintreeWebhookFields({ ...good, bt_payload: "<xml>" }, options))).toBe(
      "malformed_body",
    );
  });

  it("a signed payload that is not a notification", async () => {
    expect(await rejection(verifyBraintreeWebhookFields(sign("<credentials/>"), options))).toBe(
      "malformed_body",
    );
    expect(await rejection(verifyBraintreeWebhookFields(sign("not xml"), options))).toBe("malformed_body");
    const noMerchant = revocationXml(new Date().toISOString()).replace(/<merchant-id>.*<\/merchant-id>/, "");
    expect(await rejection(verifyBraintreeWebhookFields(sign(noMerchant), options))).toBe("malformed_body");
  });

  it("a validly signed notice older than the replay window", async () => {
    const old = sign(revocationXml("2026-01-01T00:00:00Z"));
    const now = () => Date.parse("2026-01-01T02:00:00Z");
    expect(await rejection(verifyBraintreeWebhookFields(old, { ...options, now }))).toBe("stale");
    await expect(
      verifyBraintreeWebhookFields(old, { ...options, now, maxAgeMs: 3 * 60 * 60 * 1000 }),
    ).resolves.toMatchObject({ kind: "oauth_access_revoked" });
  });
});

describe("Braintree webhooks applied through the facade", () => {
  const provider = braintree({
    clientId: "client_id$sandbox$partner",
    clientSecret: "client_secret$sandbox$secret",
    redirectUri: "https://partner.example/bt/callback",
    environment: "sandbox",
  });
  const key = storeKey({ provider: "braintree", tokenType: "default", account: "acct-7" });
  const grant = {
    accessToken: "access_token$sandbox$a",
    tokenType: "bearer",
    scopes: ["read_write"],
    subject: "merchant-7",
    raw: {},
  };
  const account = (merchantId: string) => (merchantId === "merchant-7" ? "acct-7" : undefined);

  it("a verified notice removes the grant; a bad one removes nothing", async () => {
    const store = new MemoryTokenStore();
    const reasons: string[] = [];
    const oauth = createOAuthClient(provider, {
      store,
      timeoutMs: 5000,
      onTokenUpdate: (event) => {
        reasons.push(event.reason);
      },
    });
    await store.set(key, grant);
    const good = sdk.webhookTesting.sampleNotification(REVOKED, "merchant-7");
    const forged = { ...good, bt_signature: `${publicKey}|${"0".repeat(40)}` };
    // The handler verifies first: a forged notice never reaches applyRevocation.
    await expect(verifyBraintreeWebhook(formBody(forged), options)).rejects.toBeInstanceOf(
      WebhookVerificationError,
    );
    expect(await store.get(key)).toBeDefined();

    const notification = await verifyBraintreeWebhook(formBody(good), options);
    if (notification.kind !== "oauth_access_revoked") throw new Error("expected a revocation");
    await expect(oauth.applyRevocation(notification.notice, { account })).resolves.toEqual({
      account: "acct-7",
      removed: true,
    });
    await expect(oauth.applyRevocation(notification.notice, { account })).resolves.toEqual({
      account: "acct-7",
      removed: false,
    });
    expect(await store.get(key)).toBeUndefined();
    expect(reasons).toEqual(["provider_revoked"]);
  });
});
