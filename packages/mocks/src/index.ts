export { assertNoSecrets } from "./assert-no-secrets.js";
export { withPrefer } from "./prefer.js";
export { type MockProvider, PROVIDERS, resolveSpec } from "./providers.js";
export { type MockServer, type StartMockOptions, startMock } from "./start-mock.js";
export {
  assertNoViolations,
  ContractViolationError,
  guardedFetch,
  violationGuard,
} from "./violation-guard.js";
