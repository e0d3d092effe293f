// Starts a Prism mock per provider and serves the connect app: `pnpm start`, then open the printed URL.
// PORT (default 3000) and HOST (default 127.0.0.1) choose where it listens.
import { serve } from "@hono/node-server";
import { startMock } from "@partner-oauth/mocks";
import { createApp } from "./app.mjs";
import { PROVIDER_IDS } from "./providers.mjs";

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "127.0.0.1";
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(2);
}

const started = performance.now();
const results = await Promise.allSettled(PROVIDER_IDS.map((id) => startMock(id, { startTimeoutMs: 30_000 })));
const mocks = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
const failed = results.flatMap((r, i) =>
  r.status === "rejected" ? [`${PROVIDER_IDS[i]}: ${r.reason}`] : [],
);
if (failed.length > 0) {
  console.error(`could not start every mock:\n${failed.join("\n")}`);
  await Promise.all(mocks.map((m) => m.stop()));
  process.exit(1);
}
console.log(`started ${mocks.length} mocks in ${Math.round(performance.now() - started)} ms`);

// Revocation notices are verified with the keys the providers sign them with; unset, no endpoint.
const env = process.env;
const webhooks = {
  ...(env.SQUARE_WEBHOOK_SIGNATURE_KEY
    ? {
        square: {
          signatureKey: env.SQUARE_WEBHOOK_SIGNATURE_KEY,
          notificationUrl: env.SQUARE_WEBHOOK_URL || undefined,
        },
      }
    : {}),
  ...(env.BRAINTREE_PUBLIC_KEY && env.BRAINTREE_PRIVATE_KEY
    ? { braintree: { publicKey: env.BRAINTREE_PUBLIC_KEY, privateKey: env.BRAINTREE_PRIVATE_KEY } }
    : {}),
};
const app = createApp({
  mocks: Object.fromEntries(PROVIDER_IDS.map((id, i) => [id, mocks[i].url])),
  webhooks,
});
// Plain HTTP/1.1: `serve` builds a node:http server unless told otherwise.
const server = /** @type {import("node:http").Server} */ (
  serve({ fetch: app.fetch, port, hostname }, (info) => {
    const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
    console.log(`connect app listening on http://${host}:${info.port} (Ctrl-C to stop)`);
  })
);
server.on("error", async (error) => {
  console.error(`cannot listen on ${hostname}:${port}: ${error.message}`);
  await Promise.all(mocks.map((m) => m.stop()));
  process.exit(1);
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  // Never hang on shutdown: open keep-alive connections or a stuck mock get 5 s.
  const deadline = setTimeout(() => process.exit(1), 5000);
  deadline.unref();
  server.close();
  server.closeAllConnections();
  await Promise.all(mocks.map((m) => m.stop()));
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
