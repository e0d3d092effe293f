import { defineConfig } from "vitest/config";

// Real Redis servers on a machine shared with heavy test runs: generous limits, whatever the command line.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 120_000 },
});
