import { createHmac } from "node:crypto";
import { createOAuthClient, MemoryTokenStore, storeKey, WebhookVerificationError } from "@partner-oauth/core";
import { assertNoSecrets } from "@partner-oauth/mocks";
import { WebhooksHelper } from "square";
import { describe, expect, it } from "vitest";
import { square, verifySquareWebhook } from "../src/index.js";

const signatureKey = "wbhk-sig-7q0Yv2m3PbL9xK1zR8cT";
const notificationUrl = "https://partner.example/webhooks/square?tenant=eu";
const options = { signatureKey, notificationUrl };

function event(createdAt: string, merchantId = "MLQW7K2HJ2RDE") {
  return JSON.stringify({
    merchant_id: merchantId,
    type: "oauth.authorization.revoked",
    event_id: "3b3a4b6e-0b4f-4b8e-9a49-6f3d1f0f4c2a",
    created_at: createdAt,
    data: {
      type: "revocation",
      id: "",
      object: { revocation: { revoked_at: createdAt, revoker_type: "MERCHANT" } },
    },
  });
}

/** Signs as Square does; every signature made here is first checked with the official SDK. */
async function sign(body: string | Uint8Array, key = signatureKey, url = notificationUrl): Promise<string> {
  const signature = createHmac("sha256", key).update(url).update(body).digest("base64");
  if (typeof body === "string") {
    const sdkAccepts = await WebhooksHelper.verifySignature({
      requestBody: body,
      signatureHeader: signature,
      signatureKey: key,
      notificationUrl: url,
    });
    expect(sdkAccepts).toBe(true);
  }
  return signature;
}

/** Whether the official SDK accepts a (body, signature) pair under our key and URL. */
const sdkVerifies = (body: string, signature: string) =>
  WebhooksHelper.verifySignature({
    requestBody: body,
    signatureHeader: signature,
    signatureKey,
    notificationUrl,
  });

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  assertNoSecrets(error, [signatureKey]);
  return (error as WebhookVerificationError).reason;
}

const nowIso = () => new Date().toISOString().replace("Z", "114Z"); // Square writes more digits

describe("Square webhooks: signatures the official SDK accepts", () => {
  it("verifies and parses oauth.authorization.revoked (string, bytes and ArrayBuffer bodies)", async () => {
    const body = event(nowIso());
    const signature = await sign(body);
    const bytes = new TextEncoder().encode(body);
    for (const raw of [body, bytes, bytes.slice().buffer]) {
      const parsed = await verifySquareWebhook({ body: raw, signature }, options);
      expect(parsed).toMatchObject({
        type: "oauth.authorization.revoked",
        merchantId: "MLQW7K2HJ2RDE",
        eventId: "3b3a4b6e-0b4f-4b8e-9a49-6f3d1f0f4c2a",
        revokerType: "MERCHANT",
        notice: { provider: "square", merchantId: "MLQW7K2HJ2RDE" },
      });
      if (parsed.type !== "oauth.authorization.revoked") throw new Error("expected a revocation");
      expect(Math.abs(parsed.createdAt - Date.now())).toBeLessThan(60_000);
      expect(parsed.revokedAt).toBe(parsed.createdAt);
    }
  });

  it("parses other event types as unknown; non-ASCII bodies verify byte for byte", async () => {
    const body = JSON.stringify({
      merchant_id: "M1",
      type: "customer.created",
      event_id: "e1",
      created_at: nowIso(),
      data: { object: { customer: { given_name: "Zoë 東京" } } },
    });
    await expect(verifySquareWebhook({ body, signature: await sign(body) }, options)).resolves.toMatchObject({
      type: "unknown",
      eventType: "customer.created",
      merchantId: "M1",
    });
  });
});

describe("Square webhooks: bad input is refused, as the SDK refuses it", () => {
  it("a flipped bit in the body or the signature", async () => {
    const body = event(nowIso());
    const signature = await sign(body);
    const flippedBody = body.replace("MLQW7K2HJ2RDE", "MLQW7K2HJ2RDF");
    expect(await sdkVerifies(flippedBody, signature)).toBe(false);
    expect(await rejection(verifySquareWebhook({ body: flippedBody, signature }, options))).toBe(
      "signature_mismatch",
    );
    const flippedSig = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    expect(await sdkVerifies(body, flippedSig)).toBe(false);
    expect(await rejection(verifySquareWebhook({ body, signature: flippedSig }, options))).toBe(
      "signature_mismatch",
    );
  });

  it("a wrong signature key or a wrong notification URL", async () => {
    const body = event(nowIso());
    const signature = await sign(body);
    const wrongKey = { ...options, signatureKey: `${signatureKey}x` };
    expect(await rejection(verifySquareWebhook({ body, signature }, wrongKey))).toBe("signature_mismatch");
    for (const url of [
      "https://partner.example/webhooks/square",
      "http://partner.example/webhooks/square?tenant=eu",
    ]) {
      expect(
        await rejection(verifySquareWebhook({ body, signature }, { ...options, notificationUrl: url })),
      ).toBe("signature_mismatch");
    }
  });

  it("a truncated, oversized or non-UTF-8 body", async () => {
    const body = event(nowIso());
    const signature = await sign(body);
    const truncated = body.slice(0, -5);
    expect(await sdkVerifies(truncated, signature)).toBe(false);
    expect(await rejection(verifySquareWebhook({ body: truncated, signature }, options))).toBe(
      "signature_mismatch",
    );
    const big = `${body}${" ".repeat(300 * 1024)}`;
    expect(await rejection(verifySquareWebhook({ body: big, signature: await sign(big) }, options))).toBe(
      "body_too_large",
    );
    // Signed correctly, but not UTF-8: refused before anything parses it.
    const latin1 = Buffer.from(body.replace("MERCHANT", "MERCHANT\u00e9"), "latin1");
    const latin1Signature = await sign(latin1);
    expect(await rejection(verifySquareWebhook({ body: latin1, signature: latin1Signature }, options))).toBe(
      "body_not_utf8",
    );
  });

  it("a missing header, a missing or parsed body, a signed body that is no event", async () => {
    const body = event(nowIso());
    expect(await rejection(verifySquareWebhook({ body, signature: null }, options))).toBe(
      "missing_signature",
    );
    expect(await rejection(verifySquareWebhook({ body, signature: "" }, options))).toBe("missing_signature");
    const signature = await sign(body);
    expect(await rejection(verifySquareWebhook({ body: JSON.parse(body), signature }, options))).toBe(
      "missing_body",
    );
    expect(await rejection(verifySquareWebhook({ body: "", signature }, options))).toBe("missing_body");
    for (const other of [
      "[1]",
      "not json",
      '{"type":"oauth.authorization.revoked","created_at":"yesterday"}',
    ]) {
      expect(
        await rejection(verifySquareWebhook({ body: other, signature: await sign(other) }, options)),
      ).toBe("malformed_body");
    }
  });

  it("a validly signed event older than the replay window", async () => {
    const body = event("2026-01-01T00:00:00.123456789Z");
    const signature = await sign(body);
    const now = () => Date.parse("2026-01-01T01:30:00Z");
    expect(await rejection(verifySquareWebhook({ body, signature }, { ...options, now }))).toBe("stale");
    await expect(
      verifySquareWebhook({ body, signature }, { ...options, now, maxAgeMs: 2 * 60 * 60 * 1000 }),
    ).resolves.toMatchObject({ merchantId: "MLQW7K2HJ2RDE" });
  });
});

describe("Square webhooks applied through the facade", () => {
  it("a verified event removes the seller's grant once; a forged one removes nothing", async () => {
    const provider = square({
      clientId: "sq0idp-partner",
      clientSecret: "sq0csp-secret",
      redirectUri: "https://partner.example/sq/callback",
      environment: "sandbox",
    });
    const store = new MemoryTokenStore();
    const reasons: string[] = [];
    const oauth = createOAuthClient(provider, {
      store,
      timeoutMs: 5000,
      onTokenUpdate: (e) => {
        reasons.push(e.reason);
      },
    });
    const key = storeKey({ provider: "square", tokenType: "default", account: "shop-1" });
    await store.set(key, {
      accessToken: "EAAA-a",
      tokenType: "bearer",
      scopes: [],
      subject: "MLQW7K2HJ2RDE",
      raw: {},
    });
    const account = (merchantId: string) => (merchantId === "MLQW7K2HJ2RDE" ? "shop-1" : undefined);

    const body = event(nowIso());
    const forged = await sign(body, "not-the-key");
    await expect(verifySquareWebhook({ body, signature: forged }, options)).rejects.toBeInstanceOf(
      WebhookVerificationError,
    );
    expect(await store.get(key)).toBeDefined();

    const verified = await verifySquareWebhook({ body, signature: await sign(body) }, options);
    if (verified.type !== "oauth.authorization.revoked") throw new Error("expected a revocation");
    await expect(oauth.applyRevocation(verified.notice, { account })).resolves.toEqual({
      account: "shop-1",
      removed: true,
    });
    await expect(oauth.applyRevocation(verified.notice, { account })).resolves.toMatchObject({
      removed: false,
    });
    expect(await store.get(key)).toBeUndefined();
    expect(reasons).toEqual(["provider_revoked"]);
  });
});
