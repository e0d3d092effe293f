#!/usr/bin/env node
// The lifecycle demo: starts a Prism mock per provider, runs each provider's OAuth lifecycle through
// @partner-oauth/core, prints every step with its result and timing, stops the mocks, and exits
// non-zero if any step failed. Tokens never reach the output.
import { startMock } from "@partner-oauth/mocks";
import { scenarios } from "./scenarios/index.mjs";

const only = process.argv.slice(2);
const known = scenarios.map((s) => s.provider);
const unknown = only.filter((name) => !known.includes(name));
if (unknown.length) {
  console.error(`unknown provider(s): ${unknown.join(", ")}; known: ${known.join(", ")}`);
  process.exit(2);
}
const selected = only.length ? scenarios.filter((s) => only.includes(s.provider)) : scenarios;
const rows = [];
let failed = 0;

const started = performance.now();
const starts = await Promise.allSettled(selected.map((s) => startMock(s.provider)));
const mocks = starts.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
const notStarted = starts.find((r) => r.status === "rejected");
if (notStarted) {
  // Stop the mocks that did start before reporting the one that did not.
  await Promise.all(mocks.map((m) => m.stop()));
  throw notStarted.reason;
}
console.log(`started ${mocks.length} mock(s) in ${Math.round(performance.now() - started)} ms\n`);

try {
  for (const [index, scenario] of selected.entries()) {
    let broken = false;
    const step = async (name, action) => {
      if (broken) {
        rows.push([scenario.provider, name, "skipped (an earlier step failed)", ""]);
        return undefined;
      }
      const t0 = performance.now();
      try {
        const { result, value } = await action();
        rows.push([scenario.provider, name, `ok  ${result}`, (performance.now() - t0).toFixed(1)]);
        return value;
      } catch (error) {
        broken = true;
        failed++;
        rows.push([
          scenario.provider,
          name,
          `FAIL ${error?.name ?? "Error"}: ${error?.message ?? error}`,
          (performance.now() - t0).toFixed(1),
        ]);
        return undefined;
      }
    };
    await scenario.run({ mockUrl: mocks[index].url, step });
  }
} finally {
  await Promise.all(mocks.map((m) => m.stop()));
}

printTable(["provider", "step", "result", "ms"], rows);
const total = rows.length;
console.log(`\n${total - failed} passed, ${failed} failed`);
console.log(`demo finished in ${Math.round(performance.now() - started)} ms`);
process.exit(failed ? 1 : 0);

function printTable(header, body) {
  const widths = header.map((h, i) =>
    Math.min(90, Math.max(h.length, ...body.map((r) => String(r[i]).length))),
  );
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 3 ? String(c).padStart(widths[i]) : String(c).slice(0, widths[i]).padEnd(widths[i]))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of body) console.log(line(row));
}
