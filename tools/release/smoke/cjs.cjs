"use strict";
// CommonJS consumer, run by the smoke test in the temporary project: require()s every entry point of
// the installed tarballs (require(esm), Node >= 20.19) and runs the GoCardless lifecycle through them.
const assert = require("node:assert/strict");
const entries = require("./entries.json");
const { lifecycle } = require("./lifecycle.cjs");

async function main() {
  let exports = 0;
  const required = {};
  for (const [specifier, names] of Object.entries(entries)) {
    const mod = require(specifier);
    required[specifier] = mod;
    for (const name of names) assert.ok(mod[name], `${specifier} exports ${name} to require()`);
    exports += Object.keys(mod).length;
  }
  console.log(`require: ${Object.keys(entries).length} entry points, ${exports} exports`);
  // require(esm) and import give the same module instance: one OAuthError class, no dual-package hazard.
  const imported = await import("@partner-oauth/core");
  assert.equal(required["@partner-oauth/core"].OAuthError, imported.OAuthError);
  console.log("require: the same module instance as import (instanceof works across both)");
  await lifecycle(
    {
      core: required["@partner-oauth/core"],
      gocardless: required["@partner-oauth/gocardless"],
      mocks: required["@partner-oauth/mocks"],
    },
    ["gocardless"],
    "require:",
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
