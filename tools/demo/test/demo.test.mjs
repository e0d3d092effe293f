// The demo is the project's main job: it must run every provider's lifecycle against the mocks
// and exit 0, with no token in its output.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("runs every provider's lifecycle against the mocks and exits 0", () => {
  const script = fileURLToPath(new URL("../run.mjs", import.meta.url));
  const result = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 90_000 });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  for (const provider of ["gocardless", "truelayer", "square", "braintree", "opencollective"]) {
    expect(result.stdout).toMatch(new RegExp(`\\| ${provider} +\\| revoke|\\| ${provider} +\\| refresh`));
  }
  expect(result.stdout).toMatch(/^\d+ passed, 0 failed$/m);
  // Example access tokens of the specs never reach the output.
  expect(result.stdout).not.toMatch(/sandbox_Xq7pLr2n4TkVw9ZsYb3Hc|EAAA|eyJhbGciOi/);
});

it("refuses an unknown provider name instead of running nothing and passing", () => {
  const script = fileURLToPath(new URL("../run.mjs", import.meta.url));
  const result = spawnSync(process.execPath, [script, "braintre"], { encoding: "utf8", timeout: 30_000 });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/unknown provider\(s\): braintre; known: gocardless, truelayer/);
});
