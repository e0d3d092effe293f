export { DEFAULT_TABLE, quoteTable } from "@partner-oauth/store-sql";
export type { Queryable, QueryClient, QueryFunction, QueryResultLike } from "./queryable.js";
export { type CreateSchemaOptions, createSchema, schemaSql, schemaStatements } from "./schema.js";
export {
  PostgresTokenStore,
  type PostgresTokenStoreOptions,
  type StoreStatements,
  storeStatements,
} from "./store.js";
