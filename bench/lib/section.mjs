// Lets every section run on its own (`node bench/hot-path.mjs` prints its markdown) or under
// bench/run.mjs (`--json` prints one JSON document on stdout, which run.mjs reads).
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { metOrMissed, table } from "./markdown.mjs";

/**
 * `result`: { title, how, body, targets?: { name, value, met }[], notes?: string[], data? }.
 * Exits through process.exitCode only, so a leaked handle shows up as a hang run.mjs reports.
 */
export async function runSection(metaUrl, run) {
  const invoked = process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(metaUrl));
  if (!invoked) return;
  try {
    const result = await run();
    if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const targets = result.targets?.length
        ? `\n${table(
            ["target", "measured", "result"],
            result.targets.map((t) => [t.name, t.value, metOrMissed(t.met)]),
          )}\n`
        : "";
      process.stdout.write(`## ${result.title}\n\n${result.how}\n\n${result.body}\n${targets}`);
    }
  } catch (error) {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exitCode = 1;
  }
}

/** Lines written to stderr show progress without polluting the JSON on stdout. */
export function progress(message) {
  process.stderr.write(`  ${message}\n`);
}
