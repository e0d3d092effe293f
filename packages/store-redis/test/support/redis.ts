import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { fromIoredis, fromNodeRedis, type RedisEvalClient, RedisTokenStore } from "../../src/index.js";

/** The test server: a local Redis (tools/ensure-redis.sh starts or installs one). */
export const REDIS = {
  host: process.env.REDIS_HOST_TEST ?? "127.0.0.1",
  port: Number(process.env.REDIS_PORT_TEST ?? 6379),
};

export type Library = "node-redis" | "ioredis";
export const LIBRARIES: readonly Library[] = ["node-redis", "ioredis"];

/** Generous: the machine is shared with heavy test runs. */
const CONNECT_TIMEOUT_MS = 15_000;

export interface OpenOptions {
  port?: number;
  /** `CLIENT SETNAME`, so a test can find and kill the connection. */
  name?: string;
  /** Fail commands at once while disconnected (node-redis `disableOfflineQueue`, ioredis `enableOfflineQueue: false`). */
  failFast?: boolean;
  /** ioredis: reject a command unanswered this long (`commandTimeout`); in-flight commands are not re-sent. */
  commandTimeoutMs?: number;
  /** Log in as this ACL user (no password). */
  username?: string;
}

type NodeRedisClient = ReturnType<typeof createClient>;

/** One connection of either library, with what a test needs: the store's client and raw commands. */
export interface Connection {
  library: Library;
  client: RedisEvalClient;
  /** Any command, as an array of strings (for setting up foreign values, `CLIENT KILL`, ...). */
  command(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

/** The connections of one test file, closed by `close`. */
export class Connections {
  readonly #open: Connection[] = [];

  async open(library: Library, options: OpenOptions = {}): Promise<Connection> {
    const connection = library === "node-redis" ? await openNodeRedis(options) : await openIoredis(options);
    this.#open.push(connection);
    return connection;
  }

  async close(): Promise<void> {
    const open = this.#open.splice(0);
    await Promise.all(open.map((connection) => connection.close().catch(() => {})));
  }
}

async function openNodeRedis(options: OpenOptions): Promise<Connection> {
  const client: NodeRedisClient = createClient({
    socket: {
      host: REDIS.host,
      port: options.port ?? REDIS.port,
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(50 * retries, 500),
    },
    ...(options.name ? { name: options.name } : {}),
    ...(options.username ? { username: options.username } : {}),
    disableOfflineQueue: options.failFast ?? false,
  });
  // A connection the server kills (as the failure tests do) must not crash the run.
  client.on("error", () => {});
  await client.connect();
  return {
    library: "node-redis",
    client: fromNodeRedis(client),
    command: (args) => client.sendCommand(args),
    close: async () => {
      client.destroy();
    },
  };
}

async function openIoredis(options: OpenOptions): Promise<Connection> {
  const client = new Redis({
    host: REDIS.host,
    port: options.port ?? REDIS.port,
    connectTimeout: CONNECT_TIMEOUT_MS,
    lazyConnect: true,
    retryStrategy: (retries: number) => Math.min(50 * retries, 500),
    ...(options.name ? { connectionName: options.name } : {}),
    ...(options.username ? { username: options.username } : {}),
    enableOfflineQueue: !(options.failFast ?? false),
    ...(options.commandTimeoutMs
      ? { commandTimeout: options.commandTimeoutMs, autoResendUnfulfilledCommands: false }
      : {}),
  });
  client.on("error", () => {});
  await client.connect();
  return {
    library: "ioredis",
    client: fromIoredis(client),
    command: ([name, ...args]) => client.call(name as string, ...args),
    close: async () => {
      client.disconnect();
    },
  };
}

/**
 * A key prefix of its own for one test file (random), whose keys `drop` removes. Every store of the
 * file works under it, so test runs never see each other's keys.
 */
export class TestPrefix {
  readonly name = `po-store-test:${randomBytes(6).toString("hex")}:`;
  #children = 0;

  /** A new, empty sub-prefix. */
  child(): string {
    return `${this.name}${++this.#children}:`;
  }

  /** Deletes every key under the prefix (`SCAN MATCH` + `UNLINK`). */
  async drop(admin: Connection): Promise<void> {
    let cursor = "0";
    do {
      const [next, keys] = (await admin.command([
        "SCAN",
        cursor,
        "MATCH",
        `${this.name}*`,
        "COUNT",
        "1000",
      ])) as [string, string[]];
      cursor = String(next);
      if (keys.length > 0) await admin.command(["UNLINK", ...keys]);
    } while (cursor !== "0");
  }
}

export function storeOn(connection: Connection, prefix: string): RedisTokenStore {
  return new RedisTokenStore({ client: connection.client, prefix });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}
