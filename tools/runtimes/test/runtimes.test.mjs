// The runtime matrix under vitest: one test per runtime, each running all five providers' (and the
// generic adapter's) mocked lifecycle from the packed tarballs. A runtime that cannot start fails its test; none is skipped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SQLITE_CHECKS } from "../app/sqlite-checks.mjs";
import { failuresOf, PROVIDERS, prepare, runtimes, STEPS_PER_PROVIDER, sqliteRuntimes } from "../matrix.mjs";

const STEPS = PROVIDERS.length * STEPS_PER_PROVIDER;
let prepared;
const summary = [];

beforeAll(async () => {
  prepared = await prepare((line) => console.log(`runtime matrix: ${line}`));
});

afterAll(async () => {
  await prepared?.stop();
  // One closing line per runtime, also when a test failed before its own line.
  const lines = Object.keys(runtimes).map((name) => {
    const row = summary.find((r) => r.name === name);
    return row
      ? `runtime ${name.padEnd(12)} ${row.failures.length ? "FAIL" : "pass"}  ${row.passed} of ${STEPS} steps (${row.seconds} s)${row.failures.map((f) => `\n    ${f}`).join("")}`
      : `runtime ${name.padEnd(12)} FAIL  did not run`;
  });
  console.log(lines.join("\n"));
});

describe("the packed tarballs run every provider's lifecycle", () => {
  for (const [name, runLifecycles] of Object.entries(runtimes)) {
    it(`under ${name}`, async () => {
      const t0 = performance.now();
      let rows = [];
      let failures;
      try {
        rows = await runLifecycles(prepared.app);
        failures = failuresOf(rows);
      } catch (error) {
        failures = [`could not run: ${error instanceof Error ? error.message : String(error)}`];
      }
      summary.push({
        name,
        passed: rows.filter((row) => row.ok).length,
        failures,
        seconds: ((performance.now() - t0) / 1000).toFixed(1),
      });
      expect(failures).toEqual([]);
      expect(rows).toHaveLength(STEPS);
    });
  }
});

describe("the packed SQLite store passes its conformance checks through each runtime's own SQLite", () => {
  for (const [name, runChecks] of Object.entries(sqliteRuntimes)) {
    it(`under ${name}`, async () => {
      const rows = await runChecks(prepared.app);
      const failed = rows.filter((row) => !row.ok).map((row) => `${row.step}: ${row.detail}`);
      console.log(
        `sqlite ${name.padEnd(20)} ${failed.length ? "FAIL" : "pass"}  ${rows.length - failed.length} of ${SQLITE_CHECKS} checks${failed.map((f) => `\n    ${f}`).join("")}`,
      );
      expect(failed).toEqual([]);
      expect(rows).toHaveLength(SQLITE_CHECKS);
    });
  }
});
