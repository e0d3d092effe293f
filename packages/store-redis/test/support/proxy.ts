import { connect, createServer, type Server, type Socket } from "node:net";
import { REDIS } from "./redis.js";

/**
 * A TCP proxy in front of the test Redis, to break a client's connection at a chosen moment with the
 * real server behind it: hold a command before the server sees it, let a command run but drop its
 * reply, cut every connection, or refuse new ones.
 */
export class RedisProxy {
  port = 0;
  /** `pass`: both ways; `hold`: requests are kept back (the server never sees them); `drop-replies`: requests reach the server, replies are swallowed. */
  mode: "pass" | "hold" | "drop-replies" = "pass";
  /** Bytes of requests held back, and of replies swallowed, since the mode was set. */
  held = 0;
  dropped = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor() {
    this.#server = createServer((client) => {
      const upstream = connect(REDIS.port, REDIS.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on("error", () => {});
        socket.on("close", () => {
          this.#sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.on("data", (data: Buffer) => {
        if (this.mode === "hold") this.held += data.length;
        else upstream.write(data);
      });
      upstream.on("data", (data: Buffer) => {
        if (this.mode === "drop-replies") this.dropped += data.length;
        else client.write(data);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  setMode(mode: RedisProxy["mode"]): void {
    this.mode = mode;
    this.held = 0;
    this.dropped = 0;
  }

  /** Closes every connection through the proxy (the clients see their socket close). */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Stops listening (new connections are refused) and cuts the open ones. */
  async stop(): Promise<void> {
    const closed = new Promise((resolve) => this.#server.close(resolve));
    this.cut();
    await closed;
  }
}

/** Polls until `condition` holds (for a proxy to see a command); fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
