import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { type MockProvider, resolveSpec } from "./providers.js";

export interface MockServer {
  /** Base URL of the mock, e.g. `http://127.0.0.1:40123`: pass it as a provider's `baseUrl`. */
  readonly url: string;
  readonly port: number;
  readonly spec: string;
  /** Stops Prism and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartMockOptions {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  host?: string;
  /** How long to wait for Prism to answer, in ms. Default 90 s (a loaded CI machine starts it slowly). */
  startTimeoutMs?: number;
}

const require = createRequire(import.meta.url);

function prismBin(): string {
  const pkg = require.resolve("@stoplight/prism-cli/package.json");
  return join(dirname(pkg), "dist", "index.js");
}

/** Starts Prism serving a provider's spec (or any spec path) and resolves once it answers HTTP. */
export async function startMock(
  providerOrSpecPath: MockProvider | (string & {}),
  options: StartMockOptions = {},
): Promise<MockServer> {
  const spec = resolveSpec(providerOrSpecPath);
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await freePort(host));
  const child = spawn(process.execPath, [prismBin(), "mock", spec, "-h", host, "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = `http://${host}:${port}`;
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const stop = () => stopChild(child);
  try {
    await waitUntilAnswering(url, child, options.startTimeoutMs ?? 90_000);
  } catch (error) {
    await stop();
    throw new Error(`Prism did not start for ${spec}: ${(error as Error).message}\n${output}`);
  }
  return { url, port, spec, stop };
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      await fetch(`${url}/__prism_ready__`, { signal: AbortSignal.timeout(1000) });
      return; // any HTTP answer (Prism says 404) means it is serving
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  throw new Error(`no answer within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
