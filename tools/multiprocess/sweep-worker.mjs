// One sweeping (or live-traffic) process over the shared store: a facade per provider, as an app
// connecting five providers has. It announces each lease it takes, so the parent can kill or stop it.
import { createOAuthClient, sweepAll } from "@partner-oauth/core";
import { rotatingProvider } from "./provider.mjs";
import { openStore } from "./stores.mjs";

/** The providers of the sweep rounds, with their documented refresh-token lifetimes (days). */
export const SWEEP_PROVIDERS = [
  { id: "truelayer", lifetimeDays: 30 },
  { id: "braintree", lifetimeDays: 180 },
  { id: "square", lifetimeDays: 90 },
  { id: "opencollective", lifetimeDays: 365 },
  // GoCardless: no refresh tokens, never due; its facade has no sweep.
  { id: "gocardless", lifetimeDays: undefined },
];

let clients;
let close;

function announcing(store) {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property !== "acquireLease") return value.bind(target);
      return async (...args) => {
        const fence = await value.apply(target, args);
        if (fence !== undefined) process.send({ type: "leased", fence });
        return fence;
      };
    },
  });
}

process.on("message", async (message) => {
  if (message.type === "init") {
    const opened = await openStore(message.store, { table: message.table, name: message.name });
    close = opened.close;
    const store = announcing(opened.store);
    clients = SWEEP_PROVIDERS.map(({ id, lifetimeDays }) => {
      const adapter = rotatingProvider({
        url: message.serverUrl,
        worker: message.name,
        id,
        refreshTokenLifetimeMs: lifetimeDays && lifetimeDays * 86_400_000,
      });
      if (lifetimeDays === undefined) delete adapter.refreshToken;
      return createOAuthClient(adapter, { store, ...message.timing });
    });
    process.send({ type: "ready" });
  } else if (message.type === "sweep") {
    const sweepable = clients.filter((client) => typeof client.sweep === "function");
    const reports = await sweepAll(sweepable, {
      before: message.before,
      concurrency: message.concurrency,
      maxPerSecond: Number.POSITIVE_INFINITY,
    });
    const summary = {};
    for (const [provider, report] of Object.entries(reports)) {
      summary[provider] = {
        refreshed: report.refreshed.map((g) => g.account),
        skipped: report.skipped.length,
        dead: report.dead.map((g) => g.account),
        failed: report.failed.map((g) => `${g.account}: ${g.error.name}`),
        stopped: report.stopped?.reason,
      };
    }
    process.send({ type: "swept", summary });
  } else if (message.type === "traffic") {
    // Live getToken calls of the app beside the sweep: [providerIndex, account] pairs, all at once.
    const results = await Promise.allSettled(
      message.calls.map(([provider, account]) => clients[provider].getToken(account)),
    );
    const errors = {};
    for (const result of results) {
      if (result.status === "rejected") {
        const name = result.reason?.name ?? "Error";
        errors[name] = (errors[name] ?? 0) + 1;
      }
    }
    process.send({ type: "trafficked", ok: results.filter((r) => r.status === "fulfilled").length, errors });
  } else if (message.type === "close") {
    await close?.();
    process.exit(0);
  }
});
