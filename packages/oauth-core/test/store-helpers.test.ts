import { describe, expect, it } from "vitest";
import {
  failureChain,
  failureCode,
  InvalidInputError,
  parseCount,
  recordFromJson,
  recordToJson,
} from "../src/index.js";

describe("the helpers the stores share", () => {
  it("recordToJson refuses what is no object or cannot be serialized; recordFromJson only token records", () => {
    const token = { accessToken: "a", tokenType: "Bearer", scopes: [], raw: {} };
    expect(recordFromJson(recordToJson(token))).toEqual(token);
    expect(() => recordToJson(null as never)).toThrow(InvalidInputError);
    expect(() => recordToJson({ ...token, raw: { n: 1n } })).toThrow(InvalidInputError);
    for (const text of ["not json", "[]", "7", '{"accessToken":1,"tokenType":"x","scopes":[]}'])
      expect(recordFromJson(text)).toBeUndefined();
  });

  it("parseCount takes decimal text, numbers and BigInts that are non-negative safe integers", () => {
    expect([parseCount("0"), parseCount("42"), parseCount(7), parseCount(9n)]).toEqual([0, 42, 7, 9]);
    for (const bad of ["-1", "01", "1.5", "1e3", -1, 1.5, 2n ** 60n, null, "9".repeat(17)])
      expect(parseCount(bad)).toBeUndefined();
  });

  it("failureChain walks causes and AggregateError parts once each, even around a cycle", () => {
    const refused = Object.assign(new Error("connect"), { code: "ECONNREFUSED" });
    const outer = new Error("query failed", { cause: new AggregateError([refused, refused], "all") });
    (refused as { cause?: unknown }).cause = outer;
    const chain = [...failureChain(outer)];
    expect(chain).toHaveLength(3);
    expect(chain.map((e) => failureCode(e))).toEqual([undefined, undefined, "ECONNREFUSED"]);
    expect(failureCode({ code: "has spaces: a token?" })).toBeUndefined();
  });
});
