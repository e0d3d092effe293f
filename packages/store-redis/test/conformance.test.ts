import { isSharedTokenStore } from "@partner-oauth/core";
import { dueIndexChecks, sharedTokenStoreChecks, tokenStoreChecks } from "@partner-oauth/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Connection, Connections, LIBRARIES, storeOn, TestPrefix } from "./support/redis.js";

const connections = new Connections();
const perCheck = new Connections();
const prefix = new TestPrefix();
let admin: Connection;

beforeAll(async () => {
  admin = await connections.open("node-redis");
});

afterEach(async () => {
  await perCheck.close();
});

afterAll(async () => {
  await prefix.drop(admin);
  await connections.close();
});

for (const library of LIBRARIES) {
  describe(`${library}: tokenStoreChecks (an empty prefix per check)`, () => {
    for (const check of tokenStoreChecks) {
      it(check.name, async () => {
        await check.run(storeOn(await perCheck.open(library), prefix.child()));
      });
    }
  });

  describe(`${library}: sharedTokenStoreChecks (every open() is a new connection on one prefix)`, () => {
    const shared = prefix.child();

    it("is a SharedTokenStore to the core", async () => {
      expect(isSharedTokenStore(storeOn(await perCheck.open(library), shared))).toBe(true);
    });

    for (const check of sharedTokenStoreChecks) {
      it(check.name, async () => {
        await check.run(async () => storeOn(await perCheck.open(library), shared));
      });
    }
  });

  describe(`${library}: dueIndexChecks (the <prefix>due sorted set)`, () => {
    const due = prefix.child();
    for (const check of dueIndexChecks) {
      it(check.name, async () => {
        await check.run(async () => storeOn(await perCheck.open(library), due));
      });
    }
  });
}
