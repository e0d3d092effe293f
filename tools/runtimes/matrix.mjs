// The runtime matrix: packs every publishable package, installs the tarballs into a fresh project
// outside the workspace, starts a Prism mock per provider (here, under Node), and runs the same
// mocked lifecycle of all five providers and the generic OAuth 2.0 adapter (app/lifecycle.mjs)
// under Node, Bun, Deno, workerd (Miniflare) and Vercel's edge-runtime, each from this package's
// pinned npm dependencies.
// test/runtimes.test.mjs runs it under vitest (`pnpm runtimes` at the root, the last step of `pnpm test`);
// `node matrix.mjs [runtime…]` runs it without vitest.
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startMock } from "@partner-oauth/mocks";
import { EdgeRuntime } from "edge-runtime";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { assertBuilt, npmEnv, packAll, publishablePackages, ROOT, run, seconds } from "../release/lib.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, "node_modules", ".bin");
export const PROVIDERS = ["gocardless", "truelayer", "square", "braintree", "opencollective", "oauth2"];
export const STEPS_PER_PROVIDER = 7;
const RUN_TIMEOUT_MS = 120_000;

/** Packs, installs and starts the mocks; returns `{ app, mockUrls, stop() }`. */
export async function prepare(log = console.log) {
  const t0 = performance.now();
  const packages = publishablePackages().filter((p) => p.name !== "@partner-oauth/mocks");
  assertBuilt(packages);
  const work = realpathSync(mkdtempSync(join(tmpdir(), "partner-oauth-runtimes-")));
  if (!relative(realpathSync(ROOT), work).startsWith("..")) {
    throw new Error(`the temporary project ${work} must be outside the workspace ${ROOT}`);
  }
  const mocks = [];
  const stop = async () => {
    await Promise.allSettled(mocks.map((m) => m.stop()));
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const tarballs = join(work, "tarballs");
    const app = join(work, "app");
    mkdirSync(tarballs);
    mkdirSync(app);
    const [packed, started] = await Promise.all([
      packAll(packages, tarballs),
      Promise.allSettled(PROVIDERS.map((provider) => startMock(provider))),
    ]);
    for (const result of started) if (result.status === "fulfilled") mocks.push(result.value);
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const mockUrls = Object.fromEntries(PROVIDERS.map((provider, i) => [provider, mocks[i].url]));
    log(`packed ${packed.length} packages, started ${mocks.length} mocks (${seconds(t0)})`);

    // Every @partner-oauth dependency, direct or between tarballs, resolves to the local tarball.
    const dependencies = Object.fromEntries(packed.map((p) => [p.name, `file:${relative(app, p.tarball)}`]));
    const overrides = Object.fromEntries(packed.map((p) => [p.name, `$${p.name}`]));
    const manifest = {
      name: "partner-oauth-runtimes",
      private: true,
      type: "module",
      dependencies,
      overrides,
    };
    writeFileSync(join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const installStart = performance.now();
    await run("npm", ["install", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error"], {
      cwd: app,
      env: npmEnv(),
      timeoutMs: 240_000,
    });
    log(`npm install of the tarballs (${seconds(installStart)})`);
    for (const file of readdirSync(join(HERE, "app"))) copyFileSync(join(HERE, "app", file), join(app, file));
    writeFileSync(join(app, "mock-urls.mjs"), `export const mockUrls = ${JSON.stringify(mockUrls)};\n`);
    return { app, mockUrls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** How each runtime runs app/lifecycle.mjs; each resolves the rows it returned. */
export const runtimes = {
  async node(app) {
    return rowsFrom(await run(process.execPath, ["cli.mjs"], { cwd: app, timeoutMs: RUN_TIMEOUT_MS }));
  },
  async bun(app) {
    return rowsFrom(await run(join(BIN, "bun"), ["cli.mjs"], { cwd: app, timeoutMs: RUN_TIMEOUT_MS }));
  },
  async deno(app) {
    const args = [
      "run",
      "--quiet",
      "--no-lock",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-env",
      "cli.mjs",
    ];
    const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(app, ".deno") };
    return rowsFrom(await run(join(BIN, "deno"), args, { cwd: app, env, timeoutMs: RUN_TIMEOUT_MS }));
  },
  workerd(app) {
    return workerRows(app, "/");
  },
  async "edge-runtime"(app) {
    const initialCode = await bundle(app, "edge.mjs", "iife", ["edge-light", "worker", "browser"]);
    const runtime = new EdgeRuntime({ initialCode });
    return await withTimeout(
      runtime.evaluate("globalThis.runtimeMatrixResult"),
      RUN_TIMEOUT_MS,
      "edge-runtime",
    );
  },
};

/**
 * How each runtime runs the SQLite store's conformance checks through its own SQLite (app/sqlite-cli.mjs, worker.mjs):
 * `bun:sqlite` under Bun, `node:sqlite` under Deno, D1 under workerd; each resolves one row per check.
 */
export const sqliteRuntimes = {
  async "bun (bun:sqlite)"(app) {
    return rowsFrom(await run(join(BIN, "bun"), ["sqlite-cli.mjs"], { cwd: app, timeoutMs: RUN_TIMEOUT_MS }));
  },
  async "deno (node:sqlite)"(app) {
    const args = [
      "run",
      "--quiet",
      "--no-lock",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "sqlite-cli.mjs",
    ];
    const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(app, ".deno") };
    return rowsFrom(await run(join(BIN, "deno"), args, { cwd: app, env, timeoutMs: RUN_TIMEOUT_MS }));
  },
  "workerd (D1)"(app) {
    return workerRows(app, "/sqlite", { d1Databases: ["DB"] });
  },
};

/**
 * Serves worker.mjs in workerd (Miniflare) and returns the rows it answers at `path`. No nodejs_compat
 * flag: a worker as a user deploys it, bundled the way wrangler bundles.
 */
async function workerRows(app, path, options = {}) {
  const script = await bundle(app, "worker.mjs", "esm", ["workerd", "worker", "browser"]);
  const mf = new Miniflare({ modules: true, script, compatibilityDate: "2026-04-01", ...options });
  try {
    const response = await mf.dispatchFetch(`http://runtime-matrix.local${path}`, {
      signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
    });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`the worker answered ${response.status}: ${text.slice(0, 2000)}`);
    return JSON.parse(text);
  } finally {
    await mf.dispose();
  }
}

/** Checks a runtime's rows: every provider's seven steps, each passed. Returns the failures as text. */
export function failuresOf(rows) {
  const problems = rows.filter((row) => !row.ok).map((row) => `${row.provider} / ${row.step}: ${row.detail}`);
  for (const provider of PROVIDERS) {
    const count = rows.filter((row) => row.provider === provider && row.ok).length;
    if (count !== STEPS_PER_PROVIDER)
      problems.push(`${provider}: ${count} of ${STEPS_PER_PROVIDER} steps passed`);
  }
  return problems;
}

async function bundle(app, entry, format, conditions) {
  const result = await build({
    absWorkingDir: app,
    entryPoints: [join(app, entry)],
    bundle: true,
    format,
    platform: "browser",
    conditions,
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

function rowsFrom({ stdout, stderr }) {
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line)
    throw new Error(`no RESULT line in the output:\n${stdout.slice(0, 2000)}\n${stderr.slice(0, 2000)}`);
  return JSON.parse(line.slice("RESULT ".length));
}

function withTimeout(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} gave no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// `node matrix.mjs [runtime…]`: the matrix without vitest, one line per runtime.
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  const only = process.argv.slice(2);
  const selected = only.length ? only : Object.keys(runtimes);
  const { app, stop } = await prepare();
  let failed = 0;
  try {
    for (const name of selected) {
      const t0 = performance.now();
      try {
        const problems = failuresOf(await runtimes[name](app));
        failed += problems.length ? 1 : 0;
        console.log(
          `${problems.length ? "FAIL" : "ok  "}  ${name} (${seconds(t0)})${problems.map((p) => `\n      ${p}`).join("")}`,
        );
      } catch (error) {
        failed++;
        console.log(`FAIL  ${name} (${seconds(t0)}): could not run: ${error.message}`);
      }
    }
  } finally {
    await stop();
  }
  process.exit(failed ? 1 : 0);
}
