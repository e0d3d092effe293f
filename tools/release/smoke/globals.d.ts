// What a user's project has and the README examples use: Node's `process.env` (from @types/node, which
// the smoke project installs) and vitest in the mocks example. Nothing else: each example declares
// its own inputs.
declare module "vitest" {
  export function it(name: string, fn: () => unknown): void;
  export function beforeAll(fn: () => unknown): void;
  export function afterAll(fn: () => unknown): void;
  export function expect(value: unknown): { rejects: { toBeInstanceOf(type: unknown): Promise<void> } };
}
