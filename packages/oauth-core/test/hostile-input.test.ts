import { describe, expect, it } from "vitest";
import {
  AuthorizationDeniedError,
  InvalidCallbackError,
  InvalidInputError,
  verifyCallback,
  withRequestContext,
} from "../src/index.js";
import { lifecycle } from "./helpers.js";

const base = "https://app.example/cb";

describe("callbacks from anyone", () => {
  it("refuses a duplicated code, state, error or iss instead of taking the first", () => {
    for (const query of [
      "code=a&code=b&state=s",
      "code=a&state=s&state=s",
      "code=a&state=s&error=x&error=y",
      "code=a&state=s&iss=https%3A%2F%2Fa&iss=https%3A%2F%2Fb",
    ]) {
      expect(() => verifyCallback("test", `${base}?${query}`, "s")).toThrow(InvalidCallbackError);
    }
    expect(verifyCallback("test", `${base}?code=a&state=s`, "s").code).toBe("a");
  });

  it("error_description loses markup and control characters and is capped", () => {
    const deny = (description: string) => {
      const params = new URLSearchParams({
        state: "s",
        error: "access_denied",
        error_description: description,
      });
      try {
        verifyCallback("test", params, "s");
      } catch (error) {
        expect(error).toBeInstanceOf(AuthorizationDeniedError);
        return error as AuthorizationDeniedError;
      }
      throw new Error("no error");
    };
    const html = deny("<script>alert(1)</script><b>Denied</b> by\r\nX-Forged: yes \u202eevil");
    expect(html.description).toBe("alert(1) Denied by X-Forged: yes evil");
    expect(html.message).not.toMatch(/[<>\r\n\u202e]/);
    const huge = deny("a ".repeat(500_000));
    expect(huge.description?.length).toBeLessThanOrEqual(301);
    expect(huge.message.length).toBeLessThan(400);
    expect(deny("<i></i>").description).toBeUndefined();
  });
});

describe("call options that are not what they claim", () => {
  it("a signal that is not an AbortSignal is InvalidInputError, before anything runs", async () => {
    let ran = false;
    const error = await withRequestContext(
      { provider: "test", operation: "refresh", timeoutMs: 1_000 },
      { signal: { aborted: false } as unknown as AbortSignal },
      async () => {
        ran = true;
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(ran).toBe(false);
  });

  it("through the facade too: refresh with a fake signal", async () => {
    const { oauth, seedExpired, server } = await lifecycle();
    try {
      await seedExpired();
      const error = await oauth
        .refresh("acct-1", { signal: "stop" as unknown as AbortSignal })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
    } finally {
      await server.stop();
    }
  });
});
