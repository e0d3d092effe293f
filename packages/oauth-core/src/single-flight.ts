/**
 * At most one running task per key: callers that arrive while a task runs share its promise (its
 * result or its rejection). The key is free again as soon as the task settles.
 */
export class SingleFlight {
  readonly #running = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running as Promise<T>;
    const promise = task().finally(() => {
      this.#running.delete(key);
    });
    this.#running.set(key, promise);
    return promise;
  }

  /** Whether a task for the key is running. */
  has(key: string): boolean {
    return this.#running.has(key);
  }
}
