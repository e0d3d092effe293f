export { type DueIndexCheck, dueIndexChecks, type OpenDueIndexStore } from "./due-index-conformance.js";
export {
  type OpenSharedStore,
  type SharedTokenStoreCheck,
  sharedTokenStoreChecks,
} from "./shared-store-conformance.js";
export { singleUseProvider } from "./single-use-provider.js";
export { type TokenStoreCheck, tokenStoreChecks } from "./token-store-conformance.js";
