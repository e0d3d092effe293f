import { fork } from "node:child_process";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A worker script forked with an IPC channel: its exit, its replies by message type, and a polite
 * stop. The cluster workers (worker.mjs) and the sweep workers (sweep-worker.mjs) build on it.
 */
export class ForkedWorker {
  /** Forks `script`, starts it with `init` and resolves once it answered `ready`; `onMessage` sees every message. */
  async spawn(script, init, onMessage) {
    this.child = fork(script, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    this.child.on("message", onMessage);
    const ready = this.next("ready");
    this.child.send({ type: "init", ...init });
    await ready;
  }

  /** Sends `command`; resolves with the reply of type `answer`, or `{ died }` when the process exits first. */
  ask(command, answer) {
    const reply = this.next(answer);
    this.child.send(command);
    return Promise.race([reply, this.exited.then((exit) => ({ died: exit }))]);
  }

  /** The next message of `type`. */
  next(type) {
    return new Promise((resolve) => {
      const listener = (message) => {
        if (message.type !== type) return;
        this.child.off("message", listener);
        resolve(message);
      };
      this.child.on("message", listener);
    });
  }

  signal(name) {
    this.child.kill(name);
  }

  /** Asks the worker to close its store and exit; SIGKILL after 5 s. */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.send({ type: "close" });
    await Promise.race([this.exited, sleep(5_000).then(() => this.child.kill("SIGKILL"))]);
  }
}
