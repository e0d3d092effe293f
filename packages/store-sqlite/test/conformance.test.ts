import { dueIndexChecks, sharedTokenStoreChecks, tokenStoreChecks } from "@partner-oauth/core/testing";
import { beforeAll, describe, it } from "vitest";
import { fileStore, localD1, tempDatabaseFile } from "./support.js";

describe("better-sqlite3, one file, a connection per client", () => {
  let file: string;
  beforeAll(async () => {
    file = await tempDatabaseFile();
  });
  for (const check of tokenStoreChecks)
    it(check.name, async () => check.run(fileStore(await tempDatabaseFile())));
  for (const check of sharedTokenStoreChecks)
    it(`shared: ${check.name}`, () => check.run(() => fileStore(file)));
  for (const check of dueIndexChecks) it(`due index: ${check.name}`, () => check.run(() => fileStore(file)));
});

describe("Cloudflare D1 (workerd, local)", () => {
  let open: () => Promise<import("../src/index.js").SqliteTokenStore>;
  beforeAll(async () => {
    open = (await localD1()).open;
  });
  for (const check of tokenStoreChecks) it(check.name, async () => check.run(await open()));
  for (const check of sharedTokenStoreChecks) it(`shared: ${check.name}`, () => check.run(open));
  for (const check of dueIndexChecks) it(`due index: ${check.name}`, () => check.run(open));
});
