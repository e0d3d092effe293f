import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether a Redis at `port` answers PING with PONG (not `-LOADING`, not refused). */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("*1\r\n$4\r\nPING\r\n"));
    socket.on("data", (data) => {
      answer += data.toString();
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
  });
}

/**
 * A `redis-server` of the test's own on a free port, in a temporary directory. `persistent`: an
 * append-only file fsynced on every write (`--appendonly yes --appendfsync always`); otherwise nothing on
 * disk (`--appendonly no --save ""`, as tools/ensure-redis.sh starts the shared test server). `crash`
 * is SIGKILL then the same command again. Also used by tools/multiprocess's Redis rounds.
 */
export class OwnRedis {
  readonly dir = mkdtempSync(join(tmpdir(), "po-redis-"));
  port = 0;
  /** How many times `crash` restarted it. */
  crashes = 0;
  #child: ChildProcess | undefined;

  constructor(readonly persistent: boolean) {}

  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    const persistence = this.persistent
      ? ["--appendonly", "yes", "--appendfsync", "always"]
      : ["--appendonly", "no"];
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", ...persistence];
    args.push("--dir", this.dir, "--logfile", join(this.dir, "redis.log"));
    this.#child = spawn("redis-server", args, { stdio: "ignore" });
    const until = Date.now() + 30_000;
    while (!(await pong(this.port))) {
      if (Date.now() > until || this.#child.exitCode !== null) throw new Error("redis-server did not start");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async crash(): Promise<void> {
    await this.#kill("SIGKILL");
    this.crashes++;
    await this.start();
  }

  async stop(): Promise<void> {
    await this.#kill("SIGTERM");
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }
}
