#!/usr/bin/env node
// Pack-and-install smoke test: packs every publishable package with `pnpm pack`, installs the tarballs
// with npm into a fresh project in the OS temp directory (outside the workspace, so nothing resolves
// through it), then, in that project and in parallel:
//   - esm.mjs: `import`s every entry point and runs mocked lifecycles (GoCardless, TrueLayer with refresh)
//     against Prism started by the installed @partner-oauth/mocks;
//   - cjs.cjs: `require()`s every entry point (require(esm), Node >= 20.19), checks ESM and CJS share one
//     module instance, and runs the GoCardless lifecycle through the required modules;
//   - tsc: type-checks the TypeScript examples of the shipped READMEs and a CommonJS TypeScript consumer
//     against the installed type declarations;
//   - the `partner-oauth-mock` bin answers --help.
// Needs the npm registry (the packages' third-party dependencies). `--keep` keeps the temporary project.
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { assertBuilt, npmEnv, packAll, publishablePackages, ROOT, run, seconds } from "./lib.mjs";

const SMOKE_DIR = join(dirname(fileURLToPath(import.meta.url)), "smoke");
const keep = process.argv.includes("--keep");
const t0 = performance.now();
if (!process.features.require_module) {
  throw new Error(`Node ${process.version} cannot require() ES modules; the smoke test needs >= 20.19`);
}

const packages = publishablePackages();
assertBuilt(packages);
const work = realpathSync(mkdtempSync(join(tmpdir(), "partner-oauth-smoke-")));
if (!relative(realpathSync(ROOT), work).startsWith("..")) {
  throw new Error(`the temporary project ${work} must be outside the workspace ${ROOT}`);
}
const tarballDir = join(work, "tarballs");
const app = join(work, "app");
mkdirSync(tarballDir);
mkdirSync(app);

let ok = false;
try {
  const packed = await packAll(packages, tarballDir);
  console.log(`packed ${packed.map((p) => `${p.name}@${p.version}`).join(", ")} (${seconds(t0)})`);

  // Every @partner-oauth dependency, direct or between the tarballs (`^0.1.0` after pnpm pack), must
  // resolve to the local tarball: `overrides` with `$name` pins them to the direct dependency's spec.
  const dependencies = Object.fromEntries(
    packed.map((p) => [p.name, `file:${relative(app, p.tarball).split("\\").join("/")}`]),
  );
  // What the README examples import besides our packages (pg in the several-processes example, the
  // types of better-sqlite3 in the SQLite store's): the versions the stores are tested with.
  const exampleDependencies = {
    "store-postgres": ["pg", "@types/pg"],
    "store-sqlite": ["@types/better-sqlite3"],
  };
  for (const [dir, names] of Object.entries(exampleDependencies)) {
    const manifest = JSON.parse(readFileSync(join(ROOT, "packages", dir, "package.json"), "utf8"));
    for (const name of names) dependencies[name] = manifest.devDependencies[name];
  }
  const overrides = Object.fromEntries(packed.map((p) => [p.name, `$${p.name}`]));
  writeJson(join(app, "package.json"), {
    name: "partner-oauth-smoke",
    private: true,
    type: "module",
    dependencies,
    overrides,
  });
  const installStart = performance.now();
  await run("npm", ["install", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error"], {
    cwd: app,
    env: npmEnv(),
    timeoutMs: 240_000,
  });
  console.log(`npm install in ${app} (${seconds(installStart)})`);
  await assertResolvedToTarballs(packed);

  const readmeBlocks = writeFiles(packed);
  const checks = await Promise.allSettled([
    step("esm: import + lifecycles", () =>
      run(process.execPath, ["esm.mjs"], { cwd: app, timeoutMs: 120_000 }),
    ),
    step("cjs: require + lifecycle", () =>
      run(process.execPath, ["cjs.cjs"], { cwd: app, timeoutMs: 120_000 }),
    ),
    step(`tsc: ${readmeBlocks} README examples + a CommonJS consumer`, () =>
      run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], {
        cwd: app,
        timeoutMs: 120_000,
      }),
    ),
    step("bin: partner-oauth-mock --help", async () => {
      const bin = join(app, "node_modules", ".bin", "partner-oauth-mock");
      const result = await run(bin, ["--help"], { cwd: app, allowFailure: true, timeoutMs: 30_000 });
      if (result.code !== 0 || !result.stdout.startsWith("usage: partner-oauth-mock")) {
        throw new Error(`unexpected answer (exit ${result.code}):\n${result.stdout}${result.stderr}`);
      }
      return { stdout: result.stdout };
    }),
  ]);
  const failed = checks.filter((c) => c.status === "rejected");
  ok = failed.length === 0;
  console.log(
    ok
      ? `smoke test passed in ${seconds(t0)}`
      : `smoke test failed: ${failed.length} of ${checks.length} checks (${seconds(t0)})`,
  );
} finally {
  if (ok && !keep) rmSync(work, { recursive: true, force: true });
  else console.log(`temporary project kept at ${work}`);
}
process.exit(ok ? 0 : 1);

/** Runs one check and prints its output, indented, under a pass/fail line. */
async function step(name, action) {
  const start = performance.now();
  try {
    const { stdout = "", stderr = "" } = await action();
    console.log(`ok    ${name} (${seconds(start)})`);
    printIndented(`${stdout}${stderr}`);
  } catch (error) {
    console.log(`FAIL  ${name} (${seconds(start)})`);
    printIndented(error instanceof Error ? error.message : String(error));
    throw error;
  }
}

function printIndented(text) {
  const lines = text.trimEnd().split("\n").filter(Boolean);
  for (const line of lines) console.log(`      ${line}`);
}

/** Fails unless every installed @partner-oauth package is the packed tarball (none from the registry). */
async function assertResolvedToTarballs(packed) {
  const { stdout } = await run("npm", ["ls", "--all", "--json"], {
    cwd: app,
    env: npmEnv(),
    allowFailure: true,
  });
  const expected = new Map(packed.map((p) => [p.name, p]));
  const problems = [];
  let count = 0;
  const visit = (deps = {}) => {
    for (const [name, node] of Object.entries(deps)) {
      if (expected.has(name)) {
        count++;
        const want = expected.get(name);
        if (node.version !== want.version) problems.push(`${name}@${node.version}, expected ${want.version}`);
        if (node.resolved && !String(node.resolved).includes(basename(want.tarball))) {
          problems.push(`${name} resolved from ${node.resolved}, expected ${basename(want.tarball)}`);
        }
        if (node.missing || node.invalid) problems.push(`${name} is ${node.missing ? "missing" : "invalid"}`);
      }
      visit(node.dependencies);
    }
  };
  visit(JSON.parse(stdout).dependencies);
  for (const p of packed) {
    const installed = JSON.parse(readFileSync(join(app, "node_modules", p.name, "package.json"), "utf8"));
    if (installed.version !== p.version) problems.push(`node_modules/${p.name} is ${installed.version}`);
  }
  if (problems.length > 0)
    throw new Error(`installed packages are not the tarballs:\n${problems.join("\n")}`);
  console.log(`all ${count} @partner-oauth dependency edges resolve to the local tarballs`);
}

function writeJson(path, value) {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** The repository's own Markdown (READMEs, docs), outside node_modules, generated API docs and changesets. */
function repositoryMarkdown() {
  const found = [];
  // packages/ is covered by the shipped READMEs above.
  const skip = new Set(["node_modules", ".git", ".turbo", "dist", "api", ".changeset", "packages"]);
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) visit(join(dir, entry.name));
      } else if (entry.name.endsWith(".md") && !/^(CHANGELOG|RESULTS)\.md$/.test(entry.name)) {
        found.push(join(dir, entry.name));
      }
    }
  };
  visit(ROOT);
  return found.sort();
}

/** Copies the programs of tools/release/smoke/ into the project, plus the README examples and a tsconfig. */
function writeFiles(packed) {
  const entries = JSON.parse(readFileSync(join(SMOKE_DIR, "entries.json"), "utf8"));
  const unknown = packed.filter((p) => !(p.name in entries));
  if (unknown.length > 0) {
    throw new Error(`tools/release/smoke/entries.json lacks ${unknown.map((p) => p.name).join(", ")}`);
  }
  for (const file of readdirSync(SMOKE_DIR)) copyFileSync(join(SMOKE_DIR, file), join(app, file));

  // Every ```ts block of the shipped READMEs and of the repository's READMEs and docs, each its own
  // file exactly as shown (nothing added), type-checked against the installed types in a folder whose
  // package.json is what `npm init -y` writes: CommonJS, where top-level await does not compile.
  const readmeDir = join(app, "readme");
  mkdirSync(readmeDir);
  writeJson(join(readmeDir, "package.json"), { name: "readme", version: "1.0.0", type: "commonjs" });
  const readmes = [
    ...packed.map((p) => [basename(p.name), join(app, "node_modules", p.name, "README.md")]),
    ...repositoryMarkdown().map((path) => [relative(ROOT, path).replace(/[/\\.]/g, "-"), path]),
  ];
  let blocks = 0;
  for (const [label, path] of readmes) {
    const code = [...readFileSync(path, "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    for (const [index, block] of code.entries()) {
      writeFileSync(join(readmeDir, `${label}-${index + 1}.ts`), block);
      blocks++;
    }
  }
  if (blocks === 0) throw new Error("no ```ts blocks found in the shipped READMEs");
  writeJson(join(app, "tsconfig.json"), {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022", "DOM", "DOM.Iterable"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noEmit: true,
      // Check the shipped declaration files too, not only their use.
      skipLibCheck: false,
      // Each example is its own module even without imports, as in a user's own file.
      moduleDetection: "force",
      types: [],
    },
    include: ["globals.d.ts", "consumer.cts", "readme/*.ts"],
  });
  return blocks;
}
