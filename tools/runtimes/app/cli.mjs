// Node, Bun and Deno: run the lifecycles and print the rows as one JSON line for the harness.
import { runLifecycles } from "./lifecycle.mjs";
import { mockUrls } from "./mock-urls.mjs";

console.log(`RESULT ${JSON.stringify(await runLifecycles(mockUrls))}`);
