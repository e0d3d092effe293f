import { describe, expect, it } from "vitest";
import {
  checkNoticeAge,
  hmac,
  readRawBody,
  toBase64,
  toHex,
  WebhookVerificationError,
} from "../src/index.js";

const bytes = (text: string) => new TextEncoder().encode(text);

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).reason;
  }
  return undefined;
}

describe("webhook building blocks", () => {
  it("HMAC matches RFC 2202 (SHA-1) and RFC 4231 (SHA-256) test case 2", async () => {
    const data = bytes("what do ya want for nothing?");
    expect(toHex(await hmac("SHA-1", bytes("Jefe"), data))).toBe("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    expect(toHex(await hmac("SHA-256", bytes("Jefe"), data))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    expect(toBase64(new Uint8Array([0xfb, 0xff]))).toBe("+/8=");
  });

  it("reads a raw body as bytes and text", () => {
    expect(readRawBody('{"a":"é"}', "p").text).toBe('{"a":"é"}');
    expect(readRawBody(bytes("xy"), "p").bytes).toEqual(bytes("xy"));
    expect(readRawBody(bytes("xy").buffer, "p").text).toBe("xy");
  });

  it("refuses missing, parsed, empty, oversized and non-UTF-8 bodies", () => {
    expect(reasonOf(() => readRawBody(undefined, "p"))).toBe("missing_body");
    expect(reasonOf(() => readRawBody({ merchant_id: "M" }, "p"))).toBe("missing_body");
    expect(reasonOf(() => readRawBody("", "p"))).toBe("missing_body");
    expect(reasonOf(() => readRawBody("x".repeat(11), "p", 10))).toBe("body_too_large");
    expect(reasonOf(() => readRawBody(new Uint8Array(11), "p", 10))).toBe("body_too_large");
    expect(reasonOf(() => readRawBody(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]), "p"))).toBe("body_not_utf8");
  });

  it("refuses notices outside the replay window", () => {
    const now = Date.UTC(2026, 11, 1, 12);
    const options = { provider: "p", now, maxAgeMs: 60_000 };
    expect(reasonOf(() => checkNoticeAge(now - 60_000, options))).toBeUndefined();
    expect(reasonOf(() => checkNoticeAge(now - 60_001, options))).toBe("stale");
    expect(reasonOf(() => checkNoticeAge(now + 4 * 60_000, options))).toBeUndefined();
    expect(reasonOf(() => checkNoticeAge(now + 6 * 60_000, options))).toBe("stale");
  });

  it("serializes without secrets and with its reason", () => {
    const error = new WebhookVerificationError("webhook signature does not match", {
      provider: "square",
      reason: "signature_mismatch",
    });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: "WebhookVerificationError",
      operation: "webhook",
      provider: "square",
      reason: "signature_mismatch",
    });
  });
});
