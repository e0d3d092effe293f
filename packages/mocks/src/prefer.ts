/**
 * A fetch that adds Prism's `Prefer` header to every request, to select a documented response:
 * `withPrefer("code=400, example=invalid_grant")`.
 */
export function withPrefer(prefer: string, base: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const request = new Request(input, init);
    request.headers.set("Prefer", prefer);
    return base(request);
  };
}
