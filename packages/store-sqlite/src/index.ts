export {
  type BetterSqlite3Database,
  type BunSqliteDatabase,
  betterSqlite3Driver,
  bunSqliteDriver,
  type D1DatabaseLike,
  d1Driver,
  type FileDriverOptions,
  type NodeSqliteDatabase,
  nodeSqliteDriver,
  type SqliteDriver,
} from "./driver.js";
export { type CreateSchemaOptions, createSchema, schemaSql } from "./schema.js";
export {
  type SqliteStatements,
  SqliteTokenStore,
  type SqliteTokenStoreOptions,
  sqliteStatements,
} from "./store.js";
