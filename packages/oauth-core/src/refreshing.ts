import { Refresher, type RefresherOptions } from "./refresher.js";
import type { CallOptions } from "./request-context.js";
import type { TokenKey } from "./store.js";
import type { SweepOptions, SweepReport } from "./sweep.js";
import type { Token } from "./token.js";

/** What the facade calls on the refresh machinery (`Refresher`). */
export interface RefreshOperations {
  refresh(
    key: TokenKey,
    options: CallOptions | undefined,
    ifAccessToken: string | null | undefined,
  ): Promise<Token>;
  sweep(options?: SweepOptions): Promise<SweepReport>;
}

/**
 * The core's refresh machinery: the facade's refresh and sweep over the coordinator (leases, fenced
 * writes, salvage of a spent refresh token). An adapter that refreshes hands it to the facade as its
 * `refreshing` field, so a program over a provider without refresh (GoCardless) does not carry it:
 * bundlers keep only what some module of the program imports. A structural type, so an adapter built
 * against another copy of the core still gives its facade `refresh` and `sweep`.
 */
export interface Refreshing {
  readonly Refresher: new (options: RefresherOptions) => RefreshOperations;
}

export const refreshing: Refreshing = Object.freeze({ Refresher });
