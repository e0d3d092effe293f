#!/usr/bin/env node
// Release check: packs every publishable package with `pnpm pack` (exactly what would be published)
// and lints the tarball with publint (every message, suggestions included, fails) and
// @arethetypeswrong/cli (strict profile, one rule ignored: see tools/release/README.md), plus a few
// checks of the tarball's contents. Exits non-zero on any problem. Needs a build first
// (`pnpm release:check` runs it).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { assertBuilt, packAll, publishablePackages, ROOT, run, seconds } from "./lib.mjs";

/**
 * attw flags. Strict profile (node10, node16 from CJS and ESM, bundler), ignoring only
 * `cjs-resolves-to-esm`: the packages are ESM-only and `require()` of them works on the supported
 * Node versions (>= 20.19, require(esm)); attw's TypeScript 5.6 does not model that. The smoke test
 * proves it at runtime.
 */
const ATTW_FLAGS = ["--profile", "strict", "--ignore-rules", "cjs-resolves-to-esm"];

const t0 = performance.now();
const packages = publishablePackages();
assertBuilt(packages);
const attwDir = join(ROOT, "node_modules", "@arethetypeswrong", "cli");
const attwBin = join(attwDir, JSON.parse(readFileSync(join(attwDir, "package.json"), "utf8")).bin.attw);

const workDir = mkdtempSync(join(tmpdir(), "partner-oauth-release-check-"));
let failures = 0;
try {
  const packed = await packAll(packages, workDir);
  console.log(`packed ${packed.length} packages in ${seconds(t0)}`);

  const results = await Promise.all(
    packed.map(async (tarball) => {
      const [lint, types] = await Promise.all([publintProblems(tarball), attwProblems(tarball)]);
      const problems = [...contentProblems(tarball, lint.pkg), ...lint.problems, ...types];
      return { tarball, problems };
    }),
  );

  for (const { tarball, problems } of results) {
    const label = `${tarball.name}@${tarball.version} (${tarball.files.length} files)`;
    if (problems.length === 0) {
      console.log(`ok    ${label}: publint clean, attw clean`);
      continue;
    }
    failures += problems.length;
    console.log(`FAIL  ${label}`);
    for (const problem of problems) console.log(indent(problem));
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

console.log(
  failures === 0
    ? `release check passed for ${packages.length} packages in ${seconds(t0)}`
    : `release check failed: ${failures} problem(s)`,
);
process.exit(failures === 0 ? 0 : 1);

/** What publint does not look at: fields of the packed manifest and the files a user needs. */
function contentProblems(tarball, manifest) {
  const problems = [];
  const files = new Set(tarball.files);
  if (!files.has("README.md")) problems.push("contents: README.md is not in the tarball");
  for (const file of files) {
    if (/(^|\/)test\/|\.test\.[cm]?[jt]s$/.test(file)) problems.push(`contents: test file shipped: ${file}`);
  }
  for (const field of ["sideEffects", "engines", "exports", "files", "types", "license"]) {
    if (manifest[field] === undefined) problems.push(`manifest: "${field}" is missing`);
  }
  if (manifest.type !== "module") problems.push('manifest: "type" is not "module"');
  if (manifest.publishConfig?.access !== "public") {
    problems.push('manifest: "publishConfig.access" is not "public" (scoped packages default to restricted)');
  }
  if (manifest.name === "@partner-oauth/mocks") {
    const specs = tarball.files.filter((f) => /^specs\/[^/]+\.yaml$/.test(f));
    if (specs.length < 5) problems.push(`contents: ${specs.length} specs shipped, expected 5 (prepack)`);
  }
  return problems;
}

async function publintProblems(tarball) {
  const data = readFileSync(tarball.tarball);
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball: buffer }, level: "suggestion", strict: true });
  // `pnpm pack` rewrites workspace ranges: the packed manifest must not mention `workspace:`.
  const leftovers = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"].flatMap(
    (field) =>
      Object.entries(pkg[field] ?? {})
        .filter(([, range]) => String(range).startsWith("workspace:"))
        .map(([name, range]) => `packed manifest: ${field}.${name} is still "${range}"`),
  );
  const problems = [
    ...messages.map((m) => `publint ${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false }) ?? ""}`),
    ...leftovers,
  ];
  return { pkg, problems };
}

async function attwProblems(tarball) {
  const { code, stdout, stderr } = await run(
    process.execPath,
    [attwBin, tarball.tarball, ...ATTW_FLAGS, "--format", "ascii", "--no-emoji", "--no-color"],
    { allowFailure: true, timeoutMs: 120_000, env: { ...process.env, FORCE_COLOR: "0" } },
  );
  return code === 0 ? [] : [`attw (exit ${code}):\n${stdout}${stderr}`];
}

function indent(text) {
  return text
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
}
