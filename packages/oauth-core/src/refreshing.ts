import { Refresher } from "./refresher.js";

/**
 * The core's refresh machinery: the facade's refresh and sweep over the coordinator (leases, fenced
 * writes, salvage of a spent refresh token). An adapter that refreshes hands it to the facade as its
 * `refreshing` field, so a program over a provider without refresh (GoCardless) does not carry it:
 * bundlers keep only what some module of the program imports.
 */
export const refreshing = Object.freeze({ Refresher });

export type Refreshing = typeof refreshing;
