export { type TokenStoreCheck, tokenStoreChecks } from "./token-store-conformance.js";
