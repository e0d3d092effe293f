export {
  fromIoredis,
  fromNodeRedis,
  type IoredisScripting,
  type NodeRedisScripting,
  type RedisEvalClient,
} from "./client.js";
export { SCRIPTS, type ScriptName } from "./scripts.js";
export {
  DEFAULT_PREFIX,
  type RedisKeys,
  RedisTokenStore,
  type RedisTokenStoreOptions,
  redisKeys,
} from "./store.js";
