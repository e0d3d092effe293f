// edge-runtime: bundled into a script; the harness awaits the promise it leaves on globalThis.
import { runLifecycles } from "./lifecycle.mjs";
import { mockUrls } from "./mock-urls.mjs";

globalThis.runtimeMatrixResult = runLifecycles(mockUrls);
