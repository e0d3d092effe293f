// One worker process: a facade over the shared store, whose callers ask for one account's token at
// once when told. It reports when it took a refresh lease, so the parent can kill or stop it there.
import { createOAuthClient } from "@partner-oauth/core";
import { rotatingProvider } from "./provider.mjs";
import { openStore } from "./stores.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let client;
let close;
let pauseAfterLeaseMs = 0;

/**
 * The store as the facade sees it, with two additions for the parent: when a lease was taken, and
 * which calls failed (a killed connection), so a round can say whether its fault hit a statement.
 */
function announcing(store) {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property !== "acquireLease") {
        return (...args) =>
          value.apply(target, args).catch((error) => {
            process.send({ type: "store-error", method: property, name: error?.name });
            throw error;
          });
      }
      return async (...args) => {
        const fence = await value.apply(target, args);
        if (fence !== undefined) {
          process.send({ type: "leased", fence });
          // Widens the window between the lease and the request, so the parent's signal lands in it.
          if (pauseAfterLeaseMs) await sleep(pauseAfterLeaseMs);
        }
        return fence;
      };
    },
  });
}

process.on("message", async (message) => {
  if (message.type === "init") {
    const opened = await openStore(message.store, {
      table: message.table,
      name: message.name,
      user: message.user,
      encryptionKey: message.encryptionKey,
    });
    close = opened.close;
    client = createOAuthClient(rotatingProvider({ url: message.serverUrl, worker: message.name }), {
      store: announcing(opened.store),
      ...message.timing,
    });
    process.send({ type: "ready" });
  } else if (message.type === "go") {
    pauseAfterLeaseMs = message.pauseAfterLeaseMs ?? 0;
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: message.callers }, async () => {
        const token = await client.getToken(message.account);
        return { accessToken: token.accessToken, ms: performance.now() - started, at: Date.now() };
      }),
    );
    const errors = {};
    const tokens = new Set();
    const doneAt = [];
    for (const result of results) {
      if (result.status === "fulfilled") {
        tokens.add(result.value.accessToken);
        doneAt.push(result.value.at);
      } else {
        const name = result.reason?.name ?? "Error";
        errors[name] = (errors[name] ?? 0) + 1;
      }
    }
    process.send({ type: "result", ok: doneAt.length, errors, tokens: [...tokens], doneAt });
  } else if (message.type === "close") {
    await close?.();
    process.exit(0);
  }
});
