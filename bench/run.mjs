// `pnpm bench`: runs every benchmark section in its own fresh Node process, one after the other, and
// writes bench/RESULTS.md. Exits non-zero if a section failed (the file then says which).
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { metOrMissed, table } from "./lib/markdown.mjs";
import { num } from "./lib/stats.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "package.json"));

const SECTIONS = [
  { file: "bundle-size.mjs", timeoutMs: 180_000 },
  { file: "cold-import.mjs", timeoutMs: 240_000 },
  { file: "hot-path.mjs", timeoutMs: 90_000 },
  { file: "exchange-overhead.mjs", timeoutMs: 90_000 },
  { file: "stampede.mjs", timeoutMs: 90_000 },
  { file: "shared-store.mjs", timeoutMs: 180_000 },
  { file: "encrypted-store.mjs", timeoutMs: 120_000 },
  { file: "sweep.mjs", timeoutMs: 180_000 },
];

function runSection({ file, timeoutMs }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [join(here, file), "--json"], {
      cwd: here,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      if (code !== 0) {
        const why = signal ? `killed (${signal}) after ${timeoutMs / 1000} s` : `exited with code ${code}`;
        resolve({ file, seconds, error: why });
        return;
      }
      try {
        resolve({ file, seconds, ...JSON.parse(stdout.trim().split("\n").pop()) });
      } catch (error) {
        resolve({ file, seconds, error: `unreadable output: ${error.message}` });
      }
    });
  });
}

function version(pkg) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")).version;
  } catch {
    // Packages whose exports map hides package.json: read it next to the resolved entry's package root.
    const entry = require.resolve(pkg);
    const root = entry.slice(0, entry.lastIndexOf(`node_modules/${pkg}/`) + `node_modules/${pkg}/`.length);
    return JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  }
}

function git(...args) {
  try {
    return execFileSync("git", args, {
      cwd: here,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "";
  }
}

function machine(loadStart) {
  const cpus = os.cpus();
  const dirty = git("status", "--porcelain", "--", "../packages");
  return [
    ["date", new Date().toISOString()],
    ["node", process.version],
    [
      "CPU",
      `${cpus[0]?.model ?? "unknown"} × ${cpus.length} logical cores (availableParallelism ${os.availableParallelism()})`,
    ],
    ["memory", `${num(os.totalmem() / 2 ** 30, 1)} GiB`],
    ["OS", `${os.type()} ${os.release()} ${os.arch()}`],
    ["load average (1 min) at start / end", `${num(loadStart, 2)} / ${num(os.loadavg()[0], 2)}`],
    [
      "commit",
      `${git("rev-parse", "--short", "HEAD") || "unknown"}${dirty ? " + uncommitted changes under packages/" : ""}`,
    ],
    [
      "compared",
      [
        "@partner-oauth/* (workspace dist)",
        ...[
          "square",
          "braintree",
          "gocardless-nodejs",
          "arctic",
          "simple-oauth2",
          "@badgateway/oauth2-client",
          "esbuild",
        ].map((p) => `${p} ${version(p)}`),
      ].join(", "),
    ],
  ];
}

const CAVEATS = [
  "One run on one shared 2-core machine: absolute numbers move between runs (see *spread* and the load average);",
  "ratios measured in the same run, interleaved where possible, are the more stable figures.",
  "Bundle programs are written the way each library's README/docs show; where a library cannot do a step for a",
  "provider it is hand-written `fetch` (said in *notes*), and steps a provider lacks are skipped for every library.",
  "Our programs carry what the generic libraries leave to the app: token store, state/PKCE, callback checks,",
  "single-flight refresh, typed and redacted errors, timeouts, response validation; the generic programs do not.",
  "Loopback numbers (exchange, stampede) exclude real network latency, so they show the client's own cost",
  "magnified; with a real provider (tens of ms) the exchange overhead is a small fraction.",
];

async function main() {
  const started = Date.now();
  const loadStart = os.loadavg()[0];
  const results = [];
  for (const section of SECTIONS) {
    process.stderr.write(`bench: ${section.file}\n`);
    const result = await runSection(section);
    process.stderr.write(
      `bench: ${section.file} ${result.error ? `FAILED: ${result.error}` : "done"} (${num(result.seconds, 1)} s)\n`,
    );
    results.push(result);
  }
  const totalSeconds = (Date.now() - started) / 1000;

  const targets = results.flatMap((r) => r.targets ?? []);
  const failed = results.filter((r) => r.error);
  const out = [
    "# Benchmarks",
    "",
    "Written by `pnpm bench` (`bench/run.mjs`); do not edit by hand. How each benchmark works: `bench/README.md`.",
    "",
    table(["", ""], [...machine(loadStart), ["total run time", `${num(totalSeconds, 1)} s`]]).replace(
      "|  |  |\n| --- | --- |",
      "| machine / run | |\n| --- | --- |",
    ),
    "",
    "## Targets",
    "",
    targets.length
      ? table(
          ["target", "measured", "result"],
          targets.map((t) => [t.name, t.value, metOrMissed(t.met)]),
        )
      : "(no target could be measured)",
    "",
    "## Caveats",
    "",
    CAVEATS.join(" "),
    "",
  ];
  for (const r of results) {
    if (r.error) {
      out.push(
        `## ${r.file}`,
        "",
        `**This section failed: ${r.error}.** See the output of \`pnpm bench\`.`,
        "",
      );
      continue;
    }
    out.push(`## ${r.title}`, "", r.how, "", r.body, "", `_Section time: ${num(r.seconds, 1)} s._`, "");
  }
  writeFileSync(join(here, "RESULTS.md"), `${out.join("\n").trimEnd()}\n`);

  process.stdout.write(`bench: wrote bench/RESULTS.md in ${num(totalSeconds, 1)} s\n`);
  for (const t of targets) process.stdout.write(`  ${t.met ? "met   " : "MISSED"} ${t.name}: ${t.value}\n`);
  if (failed.length) {
    process.stdout.write(
      `bench: ${failed.length} section(s) failed: ${failed.map((f) => f.file).join(", ")}\n`,
    );
    process.exitCode = 1;
  }
}

await main();
