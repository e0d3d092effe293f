import { PROVIDERS, startMock } from "./index.js";

const [target, ...rest] = process.argv.slice(2);
const portFlag = rest.indexOf("--port");
const port = portFlag >= 0 ? Number(rest[portFlag + 1]) : 4010;
if (!target || target === "--help" || !Number.isInteger(port)) {
  console.error(`usage: partner-oauth-mock <${PROVIDERS.join("|")}|spec.yaml> [--port 4010]`);
  process.exit(2);
}
// Prism's request log (and the violations it reports) is what a user of the mock wants to see.
const mock = await startMock(target, { port, onOutput: (text) => process.stdout.write(text) });
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
