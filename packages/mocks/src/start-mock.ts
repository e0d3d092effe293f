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
  /** Settles when Prism exits, for whatever reason, with its exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

export interface StartMockOptions {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  host?: string;
  /** How long to wait for Prism to answer, in ms. Default 90 s (a loaded CI machine starts it slowly). */
  startTimeoutMs?: number;
  /** Receives Prism's own output (its request log and any violations it reports). */
  onOutput?: (text: string) => void;
}

const require = createRequire(import.meta.url);

function prismBin(): string {
  const pkg = require.resolve("@stoplight/prism-cli/package.json");
  return join(dirname(pkg), "dist", "index.js");
}

/** A port picked while free can be taken by another process before Prism binds it: pick again. */
const PICKED_PORT_ATTEMPTS = 3;

/**
 * Starts Prism serving a provider's spec (or any spec path) and resolves once this Prism says it is
 * listening and answers HTTP. A port another server holds fails the start instead of handing back
 * that server's URL. Prism is killed when this process exits, so a forgotten `stop()` leaks nothing.
 */
export async function startMock(
  providerOrSpecPath: MockProvider | (string & {}),
  options: StartMockOptions = {},
): Promise<MockServer> {
  const spec = resolveSpec(providerOrSpecPath);
  const host = options.host ?? "127.0.0.1";
  const attempts = options.port === undefined ? PICKED_PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort(host));
    try {
      return await startPrism(spec, host, port, options.startTimeoutMs ?? 90_000, options.onOutput);
    } catch (error) {
      if (attempt >= attempts || !String((error as Error).message).includes("EADDRINUSE")) throw error;
    }
  }
}

async function startPrism(
  spec: string,
  host: string,
  port: number,
  timeoutMs: number,
  onOutput: ((text: string) => void) | undefined,
): Promise<MockServer> {
  const child = spawn(process.execPath, [prismBin(), "mock", spec, "-h", host, "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const url = `http://${host}:${port}`;
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    onOutput?.(chunk.toString());
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const stop = async () => {
    await stopChild(child);
    process.removeListener("exit", killOnExit);
  };
  try {
    await waitUntilListening(url, child, () => output, timeoutMs);
  } catch (error) {
    await stop();
    throw new Error(`Prism did not start for ${spec}: ${(error as Error).message}\n${output}`);
  }
  return { url, port, spec, stop, exited };
}

async function waitUntilListening(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const announcement = `Prism is listening on ${url}`;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with code ${child.exitCode ?? child.signalCode}`);
    }
    // Only this child's own announcement proves the port is ours; then HTTP must answer too.
    if (output().includes(announcement)) {
      try {
        await fetch(`${url}/__prism_ready__`, { signal: AbortSignal.timeout(1000) });
        return;
      } catch {}
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
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
