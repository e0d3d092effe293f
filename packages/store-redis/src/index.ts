export {
  fromIoredis,
  fromIoredisSubscriber,
  fromNodeRedis,
  type IoredisScripting,
  type IoredisSubscribing,
  type NodeRedisScripting,
  type RedisEvalClient,
  type RedisSubscriber,
} from "./client.js";
export { SCRIPTS, type ScriptName } from "./scripts.js";
export {
  DEFAULT_PREFIX,
  dueIndexKey,
  type RedisKeys,
  RedisTokenStore,
  type RedisTokenStoreOptions,
  redisKeys,
} from "./store.js";
