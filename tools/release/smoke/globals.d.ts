// What the README examples take for granted (the app's credentials, the incoming request, vitest in
// the mocks example), so the smoke test can type-check them as written.
declare const clientId: string;
declare const clientSecret: string;
declare const redirectUri: string;
declare const callbackUrl: string;
declare const request: Request;
declare const testKeyValue: {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  del(key: string): Promise<void>;
};
// `process` comes from @types/node, which @types/pg (for the several-processes example) brings.
declare module "vitest" {
  export function it(name: string, fn: () => unknown): void;
  export function beforeAll(fn: () => unknown): void;
  export function afterAll(fn: () => unknown): void;
  export function expect(value: unknown): { rejects: { toBeInstanceOf(type: unknown): Promise<void> } };
}
