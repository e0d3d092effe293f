#!/usr/bin/env node
// Generates packages/<provider>/src/generated/schema.ts from specs/<provider>.yaml with openapi-typescript.
// `--check` fails (exit 1) when the committed output differs from a fresh generation.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [provider, ...flags] = process.argv.slice(2);
if (!provider) {
  console.error("usage: generate.mjs <provider> [--check]");
  process.exit(2);
}
const spec = join(root, "specs", `${provider}.yaml`);
const out = join(root, "packages", provider, "src", "generated", "schema.ts");
if (!existsSync(spec)) {
  console.error(`no spec at ${spec}`);
  process.exit(2);
}
const bin = join(root, "node_modules", ".bin", "openapi-typescript");
const args = [spec, "-o", out, "--root-types", "--root-types-no-schema-prefix", "--enum-values"];
if (flags.includes("--check")) args.push("--check");
const result = spawnSync(bin, args, { stdio: "inherit" });
if (result.status !== 0 && flags.includes("--check")) {
  console.error(`${out} is out of date with ${spec}: run \`pnpm generate\` and commit the result.`);
}
process.exit(result.status ?? 1);
