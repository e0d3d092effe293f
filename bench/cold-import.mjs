// Cold import: wall time of a fresh `node --input-type=module -e "await import('<pkg>')"` per package,
// ours vs each official SDK (and the generic libraries), minus a bare `node --input-type=module -e ""`.
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { table } from "./lib/markdown.mjs";
import { progress, runSection } from "./lib/section.mjs";
import { median, msBetween, num, percentile, ratio } from "./lib/stats.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const WARMUPS = 2;

const BASELINE = { id: "(baseline)", label: '`node --input-type=module -e ""`' };
const ROWS = [
  { provider: "GoCardless", ours: "@partner-oauth/gocardless", sdk: "gocardless-nodejs" },
  { provider: "TrueLayer", ours: "@partner-oauth/truelayer" },
  { provider: "Square", ours: "@partner-oauth/square", sdk: "square" },
  { provider: "Braintree", ours: "@partner-oauth/braintree", sdk: "braintree" },
  { provider: "Open Collective", ours: "@partner-oauth/opencollective" },
];
const OTHERS = ["@partner-oauth/core", "arctic", "simple-oauth2", "@badgateway/oauth2-client"];

function timeImport(specifier) {
  const script = specifier === BASELINE.id ? "" : `await import(${JSON.stringify(specifier)})`;
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: here,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
    timeout: 30_000,
  });
  const ms = msBetween(start, process.hrtime.bigint());
  if (child.status !== 0) throw new Error(`import of ${specifier} failed: ${child.stderr}`);
  return ms;
}

async function run() {
  const specifiers = [BASELINE.id, ...ROWS.flatMap((r) => [r.ours, r.sdk].filter(Boolean)), ...OTHERS];
  const samples = new Map(specifiers.map((s) => [s, []]));
  for (const specifier of specifiers) for (let i = 0; i < WARMUPS; i++) timeImport(specifier);
  // Round-robin, so slow drift of the machine spreads over every package alike.
  for (let round = 0; round < RUNS; round++) {
    progress(`cold import round ${round + 1}/${RUNS}`);
    for (const specifier of specifiers) samples.get(specifier).push(timeImport(specifier));
  }

  const base = median(samples.get(BASELINE.id));
  const stat = (specifier) => {
    const values = samples.get(specifier);
    const p50 = median(values);
    return { p50, p90: percentile(values, 90), net: p50 - base, netP90: percentile(values, 90) - base };
  };
  const fmt = (s) => [num(s.p50, 1), num(s.p90, 1), num(s.net, 1), num(s.netP90, 1)];

  const rows = [["—", BASELINE.label, ...fmt(stat(BASELINE.id)).slice(0, 2), "—", "—", "—"]];
  for (const r of ROWS) {
    const ours = stat(r.ours);
    rows.push([r.provider, `\`${r.ours}\``, ...fmt(ours), "1×"]);
    if (r.sdk) {
      const sdk = stat(r.sdk);
      rows.push([r.provider, `\`${r.sdk}\` (official SDK)`, ...fmt(sdk), ratio(sdk.net / ours.net)]);
    } else {
      rows.push([r.provider, "(no official Node SDK)", "—", "—", "—", "—", "—"]);
    }
  }
  const core = stat("@partner-oauth/core");
  for (const specifier of OTHERS) {
    const s = stat(specifier);
    rows.push([
      "generic",
      `\`${specifier}\``,
      ...fmt(s),
      specifier === "@partner-oauth/core" ? "1× (core)" : `${ratio(s.net / core.net)} vs core`,
    ]);
  }

  return {
    id: "cold-import",
    title: "Cold import time",
    how: [
      `How measured: for each package, \`node --input-type=module -e "await import('<pkg>')"\` spawned from bench/`,
      `(spawnSync, wall time incl. process start/exit), ${WARMUPS} warm-up runs then ${RUNS} runs, packages taken`,
      "round-robin per run so machine drift hits all alike. *net* = that package's time minus the median of a bare",
      '`node --input-type=module -e ""` measured in the same rounds (p90 net subtracts the same baseline median).',
      "OS file cache is warm after the warm-ups: this is a fresh process, not a cold disk. Ratios are net median ÷",
      "our provider package's net median (generic libraries: ÷ `@partner-oauth/core`). Each of our provider",
      "packages loads core and openapi-fetch too.",
    ].join(" "),
    body: table(
      ["provider", "package", "median ms", "p90 ms", "net median ms", "net p90 ms", "× ours (net median)"],
      rows,
      ["l", "l", "r", "r", "r", "r", "r"],
    ),
    data: Object.fromEntries(specifiers.map((s) => [s, { samples: samples.get(s), ...stat(s) }])),
  };
}

await runSection(import.meta.url, run);
