// workerd: a module worker that runs the lifecycles on a request and answers with the rows.
import { runLifecycles } from "./lifecycle.mjs";
import { mockUrls } from "./mock-urls.mjs";

export default {
  async fetch() {
    return Response.json(await runLifecycles(mockUrls));
  },
};
