import { PROVIDERS, resolveSpec, startMock } from "./index.js";

const USAGE = `usage: partner-oauth-mock <${PROVIDERS.join("|")}|spec.yaml> [--port 4010]`;

/** Bad input: one line and the usage on stderr, exit 2 (no stack trace: nothing crashed). */
function refuse(message: string): never {
  console.error(`partner-oauth-mock: ${message}\n${USAGE}`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
const [target, ...rest] = args;
if (!target || target.startsWith("-")) refuse("name a provider or a spec file");
let port = 4010;
for (let i = 0; i < rest.length; i++) {
  if (rest[i] !== "--port") refuse(`unknown argument ${JSON.stringify(rest[i])}`);
  const value = rest[++i];
  port = Number(value);
  if (!value || !/^\d+$/.test(value) || port > 65_535)
    refuse(`--port needs a port number, got ${value ?? "nothing"}`);
}
try {
  resolveSpec(target);
} catch (error) {
  refuse(error instanceof Error ? error.message : String(error));
}

let mock: Awaited<ReturnType<typeof startMock>>;
try {
  // Prism's request log (and the violations it reports) is what a user of the mock wants to see.
  mock = await startMock(target, { port, onOutput: (text) => process.stdout.write(text) });
} catch (error) {
  console.error(`partner-oauth-mock: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
console.log(`${target} mock listening on ${mock.url} (Ctrl-C to stop)`);
let stopping = false;
void mock.exited.then((code) => {
  if (stopping) return;
  console.error(`Prism exited unexpectedly (${code})`);
  process.exit(1);
});
const stop = async () => {
  stopping = true;
  await mock.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
