import { describe, it } from "vitest";
import { MemoryTokenStore } from "../src/index.js";
import { tokenStoreChecks } from "../src/testing/index.js";

describe("MemoryTokenStore conforms to the TokenStore contract", () => {
  for (const check of tokenStoreChecks) it(check.name, () => check.run(new MemoryTokenStore()));
});
