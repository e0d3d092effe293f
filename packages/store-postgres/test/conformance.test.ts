import { isSharedTokenStore } from "@partner-oauth/core";
import { dueIndexChecks, sharedTokenStoreChecks, tokenStoreChecks } from "@partner-oauth/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Pools, storeOn, TestSchema } from "./support/db.js";

const pools = new Pools();
const perCheck = new Pools();
let schema: TestSchema;

beforeAll(async () => {
  schema = await new TestSchema(pools).create();
});

afterEach(async () => {
  await perCheck.close();
});

afterAll(async () => {
  await schema?.drop();
  await pools.close();
});

describe("tokenStoreChecks (an empty table per check)", () => {
  for (const check of tokenStoreChecks) {
    it(check.name, async () => {
      const store = storeOn(perCheck.open(), await schema.table());
      await check.run(store);
    });
  }
});

describe("sharedTokenStoreChecks (every open() is a new pg.Pool on one table)", () => {
  let table: string;
  beforeAll(async () => {
    table = await schema.table();
  });

  it("is a SharedTokenStore to the core", () => {
    expect(isSharedTokenStore(storeOn(perCheck.open(), table))).toBe(true);
  });

  for (const check of sharedTokenStoreChecks) {
    it(check.name, async () => {
      await check.run(() => storeOn(perCheck.open(), table));
    });
  }
});

describe("dueIndexChecks (the refresh_due_at column and its index)", () => {
  let table: string;
  beforeAll(async () => {
    table = await schema.table();
  });

  for (const check of dueIndexChecks) {
    it(check.name, async () => {
      await check.run(() => storeOn(perCheck.open(), table));
    });
  }
});
