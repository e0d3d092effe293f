const settle = () => {};

/**
 * Runs tasks for one key one after another: an async mutex per key. The facade takes it for every
 * store write of an account, so a refresh and a reconnect, revoke or forget of that account never
 * interleave (a refresh that ends after a forget must not bring the token back).
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(settle, settle);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
