// Bundle size, min+gzip, of one program per provider × library (bench/programs/<provider>/<lib>.mjs),
// each doing authorize + exchange + refresh + revoke the way the library documents.
import { existsSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, version as esbuildVersion } from "esbuild";
import { table } from "./lib/markdown.mjs";
import { progress, runSection } from "./lib/section.mjs";
import { num, ratio } from "./lib/stats.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const TARGET_BYTES = 12 * 1024;
const SQUARE_TARGET_RATIO = 40;

export const PROVIDERS = [
  {
    id: "gocardless",
    name: "GoCardless",
    sdk: "gocardless-nodejs",
    // What the provider lacks applies to every library alike.
    scope:
      "authorize, exchange, creditor lookup (the only part gocardless-nodejs covers), revoke; no refresh (GoCardless tokens never expire)",
  },
  {
    id: "truelayer",
    name: "TrueLayer",
    scope: "authorize (PKCE), exchange, refresh, revoke (DELETE /api/delete)",
  },
  { id: "square", name: "Square", sdk: "square", scope: "authorize, exchange, refresh, revoke" },
  { id: "braintree", name: "Braintree", sdk: "braintree", scope: "connect URL, exchange, refresh, revoke" },
  {
    id: "opencollective",
    name: "Open Collective",
    scope: "authorize (PKCE), exchange, refresh; no revoke (no REST revoke endpoint)",
  },
  {
    id: "oauth2",
    name: "Generic OAuth 2.0",
    scope: "static metadata; authorize (PKCE), exchange, refresh, revoke (RFC 7009)",
  },
];

export const LIBRARIES = [
  { id: "ours", name: "ours (provider pkg + core)" },
  { id: "sdk", name: "official SDK" },
  { id: "arctic", name: "arctic 3.7.0" },
  { id: "simple-oauth2", name: "simple-oauth2 5.1.0" },
  { id: "badgateway", name: "@badgateway/oauth2-client 3.3.1" },
];

/** Why a cell has no program, or what a program had to do by hand. */
const NOTES = {
  "gocardless/sdk":
    "gocardless-nodejs 10.1.2 has no OAuth: OAuth requests are hand-written fetch, the SDK does the creditor lookup",
  "gocardless/arctic":
    "creditor lookup is a hand-written fetch; arctic sends client credentials with HTTP Basic only",
  "gocardless/simple-oauth2": "creditor lookup is a hand-written fetch",
  "gocardless/badgateway": "creditor lookup is a hand-written fetch",
  "truelayer/arctic": "revoke is a hand-written fetch (DELETE /api/delete is not RFC 7009)",
  "truelayer/simple-oauth2": "PKCE challenge via node:crypto (no helper); revoke is a hand-written fetch",
  "truelayer/badgateway": "revoke is a hand-written fetch; OAuth2Fetch for refresh",
  "opencollective/simple-oauth2": "PKCE challenge via node:crypto (no helper)",
  "opencollective/badgateway": "OAuth2Fetch for refresh",
  "square/sdk": "square 46.0.0; no authorize-URL helper, URL built by hand as Square's docs do",
  "braintree/sdk": "braintree 3.40.0",
  "truelayer/sdk": "no official Node SDK for TrueLayer OAuth",
  "opencollective/sdk": "no official Node SDK",
  "oauth2/sdk": "not applicable: any standards-based server (`@partner-oauth/oauth2`)",
  "oauth2/generic":
    "no program: the generic libraries' programs for the same standard flow are the GoCardless, TrueLayer and Open Collective rows",
  "square/generic":
    "not applicable: ObtainToken takes a JSON body (arctic, @badgateway send forms) and revoke needs `Authorization: Client <secret>`; a program would be hand-written fetch",
  "braintree/generic":
    "not applicable: the gateway's /oauth/access_tokens takes Basic auth + XML/JSON and answers XML; a program would be hand-written fetch",
};

const BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  platform: "node",
  target: "node20",
  format: "esm",
  write: false,
  metafile: true,
  logLevel: "silent",
  absWorkingDir: here,
};

/** Which part of our stack a bundled input file belongs to, for the composition table. */
function partOf(inputPath) {
  if (inputPath.includes("/openapi-fetch/")) return "openapi-fetch";
  if (inputPath.includes("/oauth-core/")) return "core";
  if (inputPath.includes("/packages/")) return "provider";
  return "program";
}

export async function measureProgram(entry, { leaveOut = [] } = {}) {
  const result = await build({ ...BUILD_OPTIONS, entryPoints: [entry], external: leaveOut });
  const code = result.outputFiles[0].contents;
  const minByPart = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const part = partOf(path);
      minByPart[part] = (minByPart[part] ?? 0) + input.bytesInOutput;
    }
  }
  const external = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) if (imported.external) external.add(imported.path);
  }
  const builtins = [...external].filter((name) => isBuiltin(name)).map((name) => name.replace(/^node:/, ""));
  const other = [...external].filter((name) => !isBuiltin(name));
  return {
    min: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    builtins: [...new Set(builtins)].sort(),
    otherExternal: other.sort(),
    inputs: Object.keys(result.metafile.inputs).length,
    minByPart,
  };
}

async function run() {
  const results = [];
  for (const provider of PROVIDERS) {
    for (const library of LIBRARIES) {
      const entry = join(here, "programs", provider.id, `${library.id}.mjs`);
      const key = `${provider.id}/${library.id}`;
      const generic = !["ours", "sdk"].includes(library.id);
      if (!existsSync(entry)) {
        results.push({
          provider: provider.id,
          library: library.id,
          missing: NOTES[key] ?? (generic ? NOTES[`${provider.id}/generic`] : "no program"),
        });
        continue;
      }
      progress(`esbuild ${key}`);
      results.push({ provider: provider.id, library: library.id, ...(await measureProgram(entry)) });
    }
  }

  const find = (provider, library) => results.find((r) => r.provider === provider && r.library === library);
  const rows = [];
  for (const provider of PROVIDERS) {
    const ours = find(provider.id, "ours");
    for (const library of LIBRARIES) {
      const r = find(provider.id, library.id);
      const key = `${provider.id}/${library.id}`;
      if (r.missing) {
        // One row says why no generic-library program exists for a provider.
        if (library.id === "simple-oauth2" || library.id === "badgateway") continue;
        const name = library.id === "arctic" ? "arctic / simple-oauth2 / @badgateway" : library.name;
        rows.push([provider.name, name, "—", "—", "—", "—", r.missing]);
        continue;
      }
      const external = [
        r.builtins.length ? `${r.builtins.length} built-in${r.builtins.length > 1 ? "s" : ""}` : "none",
        ...r.otherExternal.map((name) => `\`${name}\` (unresolved optional require)`),
      ].join(", ");
      rows.push([
        provider.name,
        library.name,
        num(r.min),
        num(r.gzip),
        library.id === "ours" ? "1×" : ratio(r.gzip / ours.gzip),
        external,
        NOTES[key] ?? "",
      ]);
    }
  }

  const targets = [];
  const square = find("square", "sdk");
  const squareOurs = find("square", "ours");
  const squareRatio = square.gzip / squareOurs.gzip;
  targets.push({
    name: "Square program ≥ 40× smaller than the `square` SDK's (min+gzip)",
    value: `${ratio(squareRatio)} (${num(square.gzip)} B ÷ ${num(squareOurs.gzip)} B)`,
    met: squareRatio >= SQUARE_TARGET_RATIO,
  });
  for (const provider of PROVIDERS) {
    const ours = find(provider.id, "ours");
    // 12 KB read as 12 KiB; a result between 12,000 and 12,288 B would miss a decimal reading: say so.
    const margin = ours.gzip > 12_000 && ours.gzip <= TARGET_BYTES;
    targets.push({
      name: `${provider.name} program ≤ 12 KB min+gzip (12 KB = 12,288 B)`,
      value: `${num(ours.gzip)} B (${num(ours.gzip / 1024, 2)} KiB)${
        margin ? `: within 12,288 B by ${TARGET_BYTES - ours.gzip} B, over 12,000 B` : ""
      }`,
      met: ours.gzip <= TARGET_BYTES,
    });
  }

  // Where our bytes go: each part's minified bytes, and the gzip size with openapi-fetch left out.
  const compositionRows = [];
  for (const provider of PROVIDERS) {
    const ours = find(provider.id, "ours");
    progress(`esbuild ${provider.id}/ours without openapi-fetch`);
    const entry = join(here, "programs", provider.id, "ours.mjs");
    const withoutClient = await measureProgram(entry, { leaveOut: ["openapi-fetch"] });
    ours.gzipWithoutOpenapiFetch = withoutClient.gzip;
    const part = (name) => num(ours.minByPart[name] ?? 0);
    compositionRows.push([
      provider.name,
      part("openapi-fetch"),
      part("core"),
      part("provider"),
      part("program"),
      num(ours.gzip),
      num(withoutClient.gzip),
      num(ours.gzip - withoutClient.gzip),
    ]);
  }

  const scopeRows = PROVIDERS.map((p) => [p.name, p.scope]);
  const body = [
    table(["provider", "library", "min (B)", "min+gzip (B)", "× ours (gzip)", "external", "notes"], rows, [
      "l",
      "l",
      "r",
      "r",
      "r",
      "l",
      "l",
    ]),
    "",
    "Where our programs' bytes go. The first four columns are minified bytes per part, from esbuild's metafile",
    "(`bytesInOutput`); *without openapi-fetch* is the same program built again with `openapi-fetch` marked",
    "external, so its difference to the full program is what openapi-fetch's runtime adds after gzip.",
    "",
    table(
      [
        "provider",
        "openapi-fetch min (B)",
        "core min (B)",
        "provider pkg min (B)",
        "program min (B)",
        "min+gzip (B)",
        "min+gzip without openapi-fetch (B)",
        "openapi-fetch adds (gzip B)",
      ],
      compositionRows,
      ["l", "r", "r", "r", "r", "r", "r", "r"],
    ),
    "",
    "What every program of a provider does (the same steps for every library):",
    "",
    table(["provider", "steps"], scopeRows),
  ].join("\n");

  return {
    id: "bundle-size",
    title: "Bundle size (min+gzip, esbuild)",
    how: [
      `How measured: esbuild ${esbuildVersion} JS API, one entry per cell (\`bench/programs/<provider>/<library>.mjs\`),`,
      '`bundle: true, minify: true, platform: "node", target: "node20", format: "esm"`, identical for every program;',
      'then node:zlib gzip level 9 of the single output file. Nothing is marked external by hand: `platform: "node"`',
      "leaves Node built-ins (`http`, `crypto`, …) unbundled, and the *external* column lists how many each bundle imports",
      "(our programs import none: they run on `fetch` + Web Crypto). The node-only SDKs and simple-oauth2 therefore look",
      "smaller than they would in a browser/worker bundle. Programs export their functions, so nothing is tree-shaken",
      "away as unused. `× ours` = that bundle's min+gzip ÷ our program's for the same provider.",
    ].join(" "),
    body,
    targets,
    data: results,
  };
}

await runSection(import.meta.url, run);
