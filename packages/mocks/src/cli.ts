import { PROVIDERS, startMock } from "./index.js";

const [target, ...rest] = process.argv.slice(2);
const portFlag = rest.indexOf("--port");
const port = portFlag >= 0 ? Number(rest[portFlag + 1]) : 4010;
if (!target || target === "--help" || !Number.isInteger(port)) {
  console.error(`usage: partner-oauth-mock <${PROVIDERS.join("|")}|spec.yaml> [--port 4010]`);
  process.exit(2);
}
const mock = await startMock(target, { port });
console.log(`${target} mock listening on ${mock.url} (Ctrl-C to stop)`);
const stop = async () => {
  await mock.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
