// workerd: a module worker that runs the lifecycles on a request and answers with the rows; on
// /sqlite, the SQLite store's conformance checks over its D1 binding.
import { d1Driver } from "@partner-oauth/store-sqlite";
import { runLifecycles } from "./lifecycle.mjs";
import { mockUrls } from "./mock-urls.mjs";
import { runSqliteChecks } from "./sqlite-checks.mjs";

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/sqlite")
      return Response.json(await runSqliteChecks(d1Driver(env.DB), "d1"));
    return Response.json(await runLifecycles(mockUrls));
  },
};
