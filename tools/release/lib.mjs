// Shared helpers of the release checks: which packages are published, packing them with pnpm, and
// running child processes with a time limit.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Every non-private package under packages/, in publish order: @partner-oauth/core first (the provider
 * packages depend on it), then the rest by name.
 */
export function publishablePackages() {
  const packagesDir = join(ROOT, "packages");
  const found = [];
  for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
    const manifestPath = join(packagesDir, entry.name, "package.json");
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (manifest.private) continue;
    found.push({ dir: join(packagesDir, entry.name), name: manifest.name, manifest });
  }
  const rank = (p) => (p.name === "@partner-oauth/core" ? 0 : 1);
  return found.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** Fails early, with the command to run, when a package has not been built. */
export function assertBuilt(packages) {
  const missing = packages.filter((p) => !existsSync(join(p.dir, "dist", "index.js")));
  if (missing.length > 0) {
    throw new Error(
      `not built: ${missing.map((p) => p.name).join(", ")}; run \`pnpm exec turbo run build\` first`,
    );
  }
}

/**
 * `pnpm pack` of one package into `destination`, as a user would publish it: lifecycle scripts run
 * (mocks copies the specs in `prepack`) and `workspace:` ranges become real versions.
 * Returns `{ name, version, tarball, files }`.
 */
export async function pack(pkg, destination) {
  const { stdout } = await run("pnpm", ["pack", "--pack-destination", destination, "--json"], {
    cwd: pkg.dir,
    timeoutMs: 120_000,
  });
  // Lifecycle scripts (prepack) print before the JSON document.
  const start = stdout.search(/^\{/m);
  if (start < 0) throw new Error(`pnpm pack of ${pkg.name} printed no JSON:\n${stdout}`);
  const result = JSON.parse(stdout.slice(start));
  return {
    name: result.name,
    version: result.version,
    tarball: resolve(pkg.dir, result.filename),
    files: result.files.map((f) => f.path),
  };
}

/** Packs every package (in parallel) and returns the results in the order given. */
export function packAll(packages, destination) {
  return Promise.all(packages.map((pkg) => pack(pkg, destination)));
}

/** Process groups of running children: a timeout or Ctrl-C ends them with whatever they started (Prism). */
const running = new Set();
const killGroup = (child) => {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
};
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    for (const child of running) killGroup(child);
    process.exit(130);
  });
}

/**
 * Runs a command in its own process group; resolves `{ code, stdout, stderr }` when it exits 0 (or
 * always, with `allowFailure`), rejects with its output otherwise or when it outlives `timeoutMs`.
 */
export function run(command, args, { cwd = ROOT, env = process.env, timeoutMs = 60_000, allowFailure } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      killGroup(child); // anything it left running
      const where = cwd.startsWith(ROOT) ? relative(ROOT, cwd) || "." : cwd;
      if (signal) {
        reject(
          new Error(`${command} ${args.join(" ")} (in ${where}) killed by ${signal} after ${timeoutMs} ms`),
        );
      } else if (code !== 0 && !allowFailure) {
        reject(
          new Error(`${command} ${args.join(" ")} (in ${where}) exited with ${code}\n${stdout}\n${stderr}`),
        );
      } else {
        resolvePromise({ code, stdout, stderr });
      }
    });
  });
}

/** Seconds since `t0` (a performance.now() value), for progress lines. */
export function seconds(t0) {
  return `${((performance.now() - t0) / 1000).toFixed(1)} s`;
}

/** The environment for npm, without what pnpm exports to scripts (npm warns about unknown configs). */
export function npmEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      /^(npm_config_(user_agent|verify_deps_before_run)|pnpm_config_|npm_package_|npm_lifecycle_)/i.test(key)
    ) {
      delete env[key];
    }
  }
  return env;
}
