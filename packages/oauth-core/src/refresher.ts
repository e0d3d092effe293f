import type { OAuthClientOptions } from "./client.js";
import { hasDueIndex } from "./due-index.js";
import { UnsupportedOperationError } from "./errors.js";
import {
  RefreshCoordinator,
  type RefreshCoordinatorOptions,
  type RefreshOutcome,
} from "./refresh-coordinator.js";
import { type CallOptions, checkCallOptions } from "./request-context.js";
import { SingleFlight } from "./single-flight.js";
import { storeKey, type TokenKey, type TokenStore } from "./store.js";
import { type SweepOptions, type SweepReport, sweep } from "./sweep.js";
import { type Token, type TokenData, toToken } from "./token.js";
import { waitFor } from "./wait-for.js";

export interface RefresherOptions extends RefreshCoordinatorOptions {
  /** The store as the app passed it: the sweep lists due grants through it. */
  index: TokenStore;
  /** The stored token, checked (`undefined` when there is none). */
  readToken: (key: TokenKey) => Promise<TokenData | undefined>;
  hooks: Pick<OAuthClientOptions, "onTokenUpdate" | "onRefreshError" | "onUnpersistedToken">;
}

/**
 * The facade's refresh and sweep: one flight per key in this process, the coordinator across
 * processes, then the hooks. Adapters that refresh bring it (`refreshing`), so a facade over a
 * provider without refresh does not carry it.
 */
export class Refresher {
  readonly #options: RefresherOptions;
  readonly #coordinator: RefreshCoordinator;
  readonly #flights = new SingleFlight();
  /** Grants whose refresh failed in an earlier sweep (see `SweepTarget.failing`). */
  readonly #failing = new Set<string>();

  constructor(options: RefresherOptions) {
    this.#options = options;
    this.#coordinator = new RefreshCoordinator(options);
  }

  /**
   * One refresh per key at a time. The shared request runs under the client's own timeout, not one
   * caller's signal: a caller that gives up must not fail the others. `ifAccessToken`: `undefined`
   * refreshes only when expiring, `null` always, a string only while that token is still stored.
   */
  async refresh(
    key: TokenKey,
    options: CallOptions | undefined,
    ifAccessToken: string | null | undefined,
  ): Promise<Token> {
    const meta = { provider: this.#options.provider.id, operation: "refresh" } as const;
    checkCallOptions(options, meta);
    const id = storeKey(key);
    // A forced refresh must not settle for the token stored when it was asked for.
    const unwanted =
      ifAccessToken === null ? (await this.#options.readToken(key))?.accessToken : ifAccessToken;
    const start = () => this.#flights.run(id, () => this.#run(key, unwanted));
    const joined = this.#flights.has(id);
    const token = await waitFor(start(), options, meta);
    // A flight started for another condition may have handed back the very token this caller rejected.
    if (joined && unwanted !== undefined && token.accessToken === unwanted)
      return waitFor(start(), options, meta);
    return token;
  }

  /** Refreshes the grants of this provider due before `options.before` (see `RefreshMethods.sweep`). */
  async sweep(options?: SweepOptions): Promise<SweepReport> {
    const { index, provider, now } = this.#options;
    if (!hasDueIndex(index)) {
      throw new UnsupportedOperationError(
        "sweep needs a store that lists due grants (listDue): MemoryTokenStore, PostgreSQL, Redis or SQLite",
        { provider: provider.id, operation: "sweep" },
      );
    }
    return sweep(
      {
        index,
        prefix: `${encodeURIComponent(provider.id)}:`,
        now,
        failing: this.#failing,
        refreshIfDue: async (key, before) => {
          const due = (token: TokenData) => token.refreshDueAt !== undefined && token.refreshDueAt <= before;
          const outcome = await this.#coordinator.refresh(key, due, { skipIfHeld: true });
          if ("held" in outcome && outcome.held) return "held";
          await this.#settle(key, outcome);
          return "refreshed" in outcome && outcome.refreshed ? "refreshed" : "not_due";
        },
      },
      options,
    );
  }

  /**
   * The shared flight: the coordinated refresh, then the hooks, once the lease is released. It
   * settles for any stored token that is not expiring and is not `unwanted` (the access token a 401
   * proved dead, or the one a forced refresh started from).
   */
  async #run(key: TokenKey, unwanted: string | undefined): Promise<Token> {
    const { expiring } = this.#options;
    const want = (token: TokenData) => token.accessToken === unwanted || expiring(token);
    return this.#settle(key, await this.#coordinator.refresh(key, want));
  }

  /** Runs the hooks for an outcome, then hands out its token or throws its error. */
  async #settle(key: TokenKey, outcome: RefreshOutcome): Promise<Token> {
    const hooks = this.#options.hooks;
    if ("error" in outcome) {
      if (outcome.unpersisted) {
        await hooks.onUnpersistedToken?.({ key, token: toToken(outcome.unpersisted), error: outcome.error });
      }
      if (outcome.grantRemoved) {
        await hooks.onTokenUpdate?.({ key, reason: "invalidated", token: undefined });
      }
      await hooks.onRefreshError?.({ key, error: outcome.error, grantRemoved: outcome.grantRemoved });
      throw outcome.error;
    }
    const token = toToken(outcome.token);
    if (outcome.refreshed) await hooks.onTokenUpdate?.({ key, reason: "refresh", token });
    return token;
  }
}
