import { expect } from "vitest";

export interface RoundReport {
  fault: string;
  ms: number;
  refreshRequests: number;
  invalidGrants: number;
  callers: number;
  survivingCallers: number;
  ok: number;
  errors: Record<string, number>;
  killed: number;
  terminatedBackends: number;
  /** Store calls that failed in the workers (method: error name), retried by the core. */
  storeErrors: string[];
  storeHoldsLiveToken: boolean;
  handedOutStoredToken: boolean;
  handedOut: number;
  loss: "none" | "unavoidable" | "defect";
  followers: number[];
}

/** Every round's line, printed when the suite ends: the numbers for the closing note. */
export const rounds: RoundReport[] = [];

export function summarize(title: string): void {
  const lines = rounds.map(
    (r, i) =>
      `${String(i + 1).padStart(2)} ${r.fault.padEnd(20)} ${String(r.ms).padStart(6)} ms  requests ${r.refreshRequests}  invalid_grant ${r.invalidGrants}  ok ${r.ok}/${r.survivingCallers}  errors ${JSON.stringify(r.errors)}  loss ${r.loss}${r.storeErrors.length ? `  store errors ${r.storeErrors.join(", ")}` : ""}`,
  );
  const losses = (kind: string) => rounds.filter((r) => r.loss === kind).length;
  console.log(
    `${title}\n${lines.join("\n")}\nrounds ${rounds.length}, refresh requests ${rounds.reduce((n, r) => n + r.refreshRequests, 0)}, lost grants: unavoidable ${losses("unavoidable")}, defects ${losses("defect")}`,
  );
}

/** A round with no fault, or one whose fault leaves a surviving process able to finish the refresh. */
export function expectClean(report: RoundReport): void {
  expect(report.loss).toBe("none");
  expect(report.refreshRequests).toBe(1);
  expect(report.invalidGrants).toBe(0);
  expect(report.errors).toEqual({});
  expect(report.ok).toBe(report.survivingCallers);
  expect(report.storeHoldsLiveToken).toBe(true);
  expect(report.handedOutStoredToken).toBe(true);
}
