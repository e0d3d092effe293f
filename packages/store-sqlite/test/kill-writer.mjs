// Writes growing records to one key as fast as it can until it is killed (by the test, mid-write).
import Database from "better-sqlite3";
import { betterSqlite3Driver, SqliteTokenStore } from "../dist/index.js";

const store = new SqliteTokenStore({ driver: betterSqlite3Driver(new Database(process.argv[2])) });
process.send?.("ready");
for (let n = 1; ; n++) {
  await store.set("p:t:~killed", {
    accessToken: `at-${n}`,
    tokenType: "Bearer",
    refreshToken: `rt-${n}`,
    scopes: [],
    raw: { n, padding: "x".repeat(n % 5000) },
  });
}
