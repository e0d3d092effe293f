export { checkInteger, checkText, checkTtl, MAX_TTL_MS } from "./checks.js";
export { postgresDialect, type SqlDialect, sqliteDialect } from "./dialect.js";
export { malformed, parseCount, parseRecord, serialize, throwMalformed } from "./rows.js";
export { SqlTokenStore } from "./sql-token-store.js";
export { type SharedStatements, sharedStatements } from "./statements.js";
export { DEFAULT_TABLE, quoteTable } from "./table-name.js";
