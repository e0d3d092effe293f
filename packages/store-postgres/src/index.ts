export type { Queryable, QueryClient, QueryFunction, QueryResultLike } from "./queryable.js";
export { type CreateSchemaOptions, createSchema, DEFAULT_TABLE, quoteTable, schemaSql } from "./schema.js";
export {
  PostgresTokenStore,
  type PostgresTokenStoreOptions,
  type StoreStatements,
  storeStatements,
} from "./store.js";
