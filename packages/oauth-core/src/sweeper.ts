import { InvalidInputError } from "./errors.js";
import type { SweepOptions, SweepReport } from "./sweep.js";

/** A client that can sweep: the facade of any provider with refresh. */
export interface Sweepable {
  readonly provider: { readonly id: string };
  sweep(options?: SweepOptions): Promise<SweepReport>;
}

/** Options of one round over several clients: those of `sweep`, `before` shared by all. */
export type SweepAllOptions = SweepOptions;

/**
 * Sweeps each client (one per provider) at once, each under its own rate limit, and reports per
 * provider id. Call it from cron, a queue job or a Workers `scheduled` handler (`ctx.waitUntil`).
 */
export async function sweepAll(
  clients: readonly Sweepable[],
  options: SweepAllOptions = {},
): Promise<Record<string, SweepReport>> {
  const reports = await Promise.all(clients.map((client) => client.sweep(options)));
  return Object.fromEntries(clients.map((client, i) => [client.provider.id, reports[i] as SweepReport]));
}

export interface SweeperOptions extends Omit<SweepOptions, "before" | "signal"> {
  /** Time between the end of one round and the start of the next, in ms (at least 1 s). */
  everyMs: number;
  /** Also sweep grants due this far ahead (ms). Default 0: those due now. */
  aheadMs?: number | undefined;
  /** Each round's reports, per provider id. */
  onReport?: ((reports: Record<string, SweepReport>) => void | Promise<void>) | undefined;
  /** A round that threw (bad options, a throwing `onReport`); the sweeper keeps going. */
  onError?: ((error: unknown) => void) | undefined;
  /** Epoch-ms clock for `before`. Default `Date.now`. */
  now?: (() => number) | undefined;
}

export interface Sweeper {
  /** Stops scheduling rounds; a round in progress stops starting refreshes and finishes those in flight. */
  stop(): Promise<void>;
}

/**
 * Runs `sweepAll` every `everyMs` in this process, starting after a random part of the first
 * interval (processes started together do not sweep together). Its timer does not keep a Node, Bun
 * or Deno process alive. Several processes may run one: leases keep each refresh single.
 */
export function startSweeper(clients: readonly Sweepable[], options: SweeperOptions): Sweeper {
  const { everyMs, aheadMs = 0, onReport, onError, now = Date.now, ...sweepOptions } = options ?? {};
  if (!Number.isFinite(everyMs) || everyMs < 1_000 || !Number.isFinite(aheadMs) || aheadMs < 0) {
    throw new InvalidInputError("startSweeper: everyMs must be >= 1000 and aheadMs >= 0", {
      operation: "sweep",
    });
  }
  const stopping = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let round: Promise<void> = Promise.resolve();

  const run = async () => {
    try {
      const reports = await sweepAll(clients, {
        ...sweepOptions,
        before: now() + aheadMs,
        signal: stopping.signal,
      });
      await onReport?.(reports);
    } catch (error) {
      onError?.(error);
    }
  };
  const schedule = (delayMs: number) => {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => {
      round = run().then(() => schedule(everyMs));
    }, delayMs);
    (timer as { unref?: () => void }).unref?.();
  };
  schedule(Math.random() * everyMs);

  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await round;
    },
  };
}
