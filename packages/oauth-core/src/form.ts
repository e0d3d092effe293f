/** Values a form field may carry; `undefined` and `null` fields are omitted, never sent as text. */
export type FormValue = string | number | boolean | undefined | null | readonly (string | number | boolean)[];

/**
 * `application/x-www-form-urlencoded` serializer for openapi-fetch's `bodySerializer`. openapi-fetch's
 * own one runs only for an exact content-type header and sends `undefined` as "undefined".
 */
export function formBody(body: object): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(body) as [string, FormValue][]) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) params.append(name, String(item));
    } else if (typeof value === "object") {
      throw new TypeError(`form field ${name} must be a string, number, boolean or array`);
    } else {
      params.append(name, String(value));
    }
  }
  return params.toString();
}

/** Headers that go with `formBody`. */
export const FORM_HEADERS = {
  "Content-Type": "application/x-www-form-urlencoded",
  Accept: "application/json",
} as const;
