/**
 * What the store needs of a Redis client: `EVALSHA` and `EVAL` with keys and arguments, resolving the
 * script's reply (arrays, integers and bulk strings as JS arrays, numbers and strings) and rejecting
 * with the server's error reply (`NOSCRIPT …`, `NOPERM …`) or the client's connection error.
 * `fromNodeRedis` and `fromIoredis` make one from node-redis 5 and ioredis 5; any other client needs
 * only these two calls.
 */
export interface RedisEvalClient {
  evalsha(sha1: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  eval(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
}

/** The two calls of a node-redis 5 client (`createClient`, `createCluster`, a pool) the adapter uses. */
export interface NodeRedisScripting {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** The two calls of an ioredis 5 client (`Redis` or `Cluster`) the adapter uses. */
export interface IoredisScripting {
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/** A `RedisEvalClient` over a connected node-redis 5 client: `fromNodeRedis(createClient({ url }))`. */
export function fromNodeRedis(client: NodeRedisScripting): RedisEvalClient {
  return {
    evalsha: (sha1, keys, args) => client.evalSha(sha1, { keys: [...keys], arguments: [...args] }),
    eval: (script, keys, args) => client.eval(script, { keys: [...keys], arguments: [...args] }),
  };
}

/** A `RedisEvalClient` over an ioredis 5 client: `fromIoredis(new Redis(url))`. */
export function fromIoredis(client: IoredisScripting): RedisEvalClient {
  return {
    evalsha: (sha1, keys, args) => client.evalsha(sha1, keys.length, ...keys, ...args),
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
  };
}

/** Whether a value can be used as the store's client (checked once, at construction). */
export function isRedisEvalClient(value: unknown): value is RedisEvalClient {
  if (typeof value !== "object" || value === null) return false;
  const client = value as Record<string, unknown>;
  return typeof client.evalsha === "function" && typeof client.eval === "function";
}

/**
 * A connection in subscribe mode, for the store's optional wake-ups: `client.duplicate()` of a
 * node-redis 5 client, connected, fits as it is; `fromIoredisSubscriber` adapts an ioredis one.
 */
export interface RedisSubscriber {
  pSubscribe(pattern: string, listener: (message: string, channel: string) => void): Promise<unknown>;
}

/** The calls of an ioredis 5 client in subscribe mode the adapter uses. */
export interface IoredisSubscribing {
  psubscribe(pattern: string): Promise<unknown>;
  on(event: "pmessage", listener: (pattern: string, channel: string, message: string) => void): unknown;
}

/** A `RedisSubscriber` over an ioredis 5 client used for nothing else: `fromIoredisSubscriber(redis.duplicate())`. */
export function fromIoredisSubscriber(client: IoredisSubscribing): RedisSubscriber {
  return {
    async pSubscribe(pattern, listener) {
      client.on("pmessage", (matched, channel, message) => {
        if (matched === pattern) listener(message, channel);
      });
      return client.psubscribe(pattern);
    },
  };
}
