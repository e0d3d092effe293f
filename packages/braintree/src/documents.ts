import { type RequestContext, ResponseParseError } from "@partner-oauth/core";
import { childrenNamed, parseXml, type XmlElement } from "./xml.js";

// Readers for the three XML documents the gateway answers OAuth calls with. Element names are
// Braintree's dasherized ones; the fields are camelCased as the Node SDK exposes them.

type Where = Pick<RequestContext, "provider" | "operation">;

/** The `<credentials>` document of `POST /oauth/access_tokens`, as strings (the token's `raw`). */
export interface BraintreeCredentials {
  accessToken: string;
  refreshToken?: string | undefined;
  /** ISO 8601, e.g. `2026-05-02T10:15:30Z`: 24 h after creation. */
  expiresAt?: string | undefined;
  /** Not sent by Braintree today (refresh tokens live 180 days); read if it ever appears. */
  refreshTokenExpiresAt?: string | undefined;
  tokenType: string;
  /** Comma-separated. */
  scope?: string | undefined;
}

/** One validation error of an `<api-error-response>`. */
export interface BraintreeValidationError {
  /** Braintree's numeric code as a string, e.g. `93801`. */
  code: string | undefined;
  attribute: string | undefined;
  message: string | undefined;
}

/** An `<api-error-response>`. The `<params>` echo is never read: it repeats the code or token sent. */
export interface BraintreeErrorResponse {
  message: string | undefined;
  errors: BraintreeValidationError[];
}

export function readCredentials(xml: unknown, where: Where, status: number): BraintreeCredentials {
  const root = rootNamed(xml, "credentials", where, status);
  const accessToken = leaf(root, "access-token", where, status);
  const tokenType = leaf(root, "token-type", where, status);
  if (!accessToken || !tokenType) {
    throw new ResponseParseError("credentials lack access-token or token-type", { ...where, status });
  }
  const credentials: BraintreeCredentials = { accessToken, tokenType };
  const optional = {
    refreshToken: leaf(root, "refresh-token", where, status),
    expiresAt: leaf(root, "expires-at", where, status),
    refreshTokenExpiresAt: leaf(root, "refresh-token-expires-at", where, status),
    scope: leaf(root, "scope", where, status),
  };
  for (const [field, value] of Object.entries(optional) as [keyof typeof optional, string | undefined][]) {
    if (value) credentials[field] = value; // absent, nil and empty all mean "not given"
  }
  return credentials;
}

/** `<result><success type="boolean">true</success></result>` → `true`. */
export function readRevocationResult(xml: unknown, where: Where, status: number): boolean {
  const success = leaf(rootNamed(xml, "result", where, status), "success", where, status);
  if (success !== "true" && success !== "false") {
    throw new ResponseParseError("result lacks a boolean success", { ...where, status });
  }
  return success === "true";
}

export function readErrorResponse(xml: unknown, where: Where, status: number): BraintreeErrorResponse {
  const root = rootNamed(xml, "api-error-response", where, status);
  const errors: BraintreeValidationError[] = [];
  // Errors sit at any depth under <errors>: one <errors> per object in error (here <credentials>).
  const collect = (element: XmlElement) => {
    for (const child of element.children) {
      if (child.name === "error") {
        errors.push({
          code: leaf(child, "code", where, status),
          attribute: leaf(child, "attribute", where, status),
          message: leaf(child, "message", where, status),
        });
      } else collect(child);
    }
  };
  for (const container of childrenNamed(root, "errors")) collect(container);
  return { message: leaf(root, "message", where, status), errors };
}

function rootNamed(xml: unknown, name: string, where: Where, status: number): XmlElement {
  const root = parseXml(xml, where, status);
  if (root.name !== name) {
    throw new ResponseParseError(`expected a <${name}> document`, { ...where, status });
  }
  return root;
}

/**
 * The trimmed text of the single child `name`: `undefined` when absent or `nil="true"`. A repeated
 * element or one with children is ambiguous, so it is refused rather than guessed.
 */
function leaf(parent: XmlElement, name: string, where: Where, status: number): string | undefined {
  const found = childrenNamed(parent, name);
  if (found.length === 0) return undefined;
  const [element] = found;
  if (found.length > 1 || !element || element.children.length > 0) {
    throw new ResponseParseError(`element ${name} is repeated or not a simple value`, { ...where, status });
  }
  if (element.attributes.get("nil") === "true") return undefined;
  return element.text.trim();
}
