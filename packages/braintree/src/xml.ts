import { type RequestContext, ResponseParseError } from "@partner-oauth/core";

/**
 * A deliberately tiny XML reader for the three documents the Braintree gateway answers OAuth calls
 * with (`<credentials>`, `<result>`, `<api-error-response>`). It accepts plain elements, attributes,
 * text, comments and a leading `<?xml …?>` declaration, and refuses everything else: no DOCTYPE, no
 * entity declarations (so no billion laughs, no XXE), no CDATA, no other processing instructions.
 * Only the five predefined entities and numeric character references are decoded. Size and depth
 * are capped. Every failure is a ResponseParseError whose message never quotes the input (it may
 * hold a token).
 */

type Where = Pick<RequestContext, "provider" | "operation">;

export interface XmlElement {
  readonly name: string;
  /** A Map, not an object: an attribute named `__proto__` must stay data. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (its children's excluded), entities decoded. */
  readonly text: string;
}

/** Braintree's OAuth documents are well under 2 KiB; 64 KiB leaves room and bounds the work. */
export const XML_MAX_BYTES = 64 * 1024;
/** The deepest document here (`api-error-response/errors/credentials/errors/error/code`) is 6. */
export const XML_MAX_DEPTH = 32;

// XML 1.0 `Char`, negated: a C0 control other than tab/LF/CR, a lone surrogate, U+FFFE or U+FFFF.
const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NAME = /[A-Za-z_][A-Za-z0-9._:-]{0,127}/y;
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
const DECLARATION =
  /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.[0-9]\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\4)?[ \t\n]*\?>/y;
const PREDEFINED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

/** Parses one XML document into its root element, or throws ResponseParseError. */
export function parseXml(input: unknown, where: Where, status?: number): XmlElement {
  return new XmlReader(input, (reason, at) => {
    const position = at === undefined ? "" : ` (offset ${at})`;
    throw new ResponseParseError(`response is not acceptable XML: ${reason}${position}`, {
      ...where,
      status,
    });
  }).document();
}

/**
 * Escapes a value for XML text or a quoted attribute, so that parsing gives it back unchanged
 * (tab, LF and CR become references: a parser would normalize them). Throws TypeError for
 * characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates).
 */
export function escapeXml(value: string): string {
  if (INVALID_CHAR.test(value)) throw new TypeError("value holds characters XML 1.0 cannot represent");
  return value.replace(/[&<>"'\t\n\r]/g, (char) => ESCAPES[char] ?? char);
}

/** The child elements of `element` named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

class XmlReader {
  readonly #src: string;
  readonly #fail: (reason: string, at?: number) => never;
  #pos = 0;

  constructor(input: unknown, fail: (reason: string, at?: number) => never) {
    this.#fail = fail;
    if (typeof input !== "string" || input.length === 0) fail("the body is empty or not text");
    const text = input as string;
    // A UTF-16 unit is at least one UTF-8 byte: count exactly only when it can matter.
    if (text.length > XML_MAX_BYTES || new TextEncoder().encode(text).length > XML_MAX_BYTES) {
      fail(`the body is larger than ${XML_MAX_BYTES} bytes`);
    }
    const invalid = INVALID_CHAR.exec(text);
    if (invalid) fail("a character XML 1.0 does not allow", invalid.index);
    this.#src = text.replace(/\r\n?/g, "\n"); // XML 1.0 §2.11 end-of-line handling
  }

  document(): XmlElement {
    if (this.#src.startsWith("\uFEFF")) this.#pos = 1;
    this.#declaration();
    this.#misc();
    if (!this.#src.startsWith("<", this.#pos)) this.#fail("no root element", this.#pos);
    const root = this.#element(1);
    this.#misc();
    if (this.#pos < this.#src.length) this.#fail("content after the root element", this.#pos);
    return root;
  }

  #declaration(): void {
    if (!/^<\?xml[ \t\n]/.test(this.#src.slice(this.#pos, this.#pos + 6))) return;
    DECLARATION.lastIndex = this.#pos;
    const match = DECLARATION.exec(this.#src);
    if (!match) this.#fail("malformed XML declaration", this.#pos);
    const encoding = match[3];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      this.#fail("only UTF-8 documents are accepted", this.#pos);
    }
    this.#pos = DECLARATION.lastIndex;
  }

  /** Whitespace and comments around the root; refuses DOCTYPE and processing instructions. */
  #misc(): void {
    for (;;) {
      this.#whitespace();
      if (this.#src.startsWith("<!--", this.#pos)) this.#comment();
      else if (this.#src.startsWith("<!", this.#pos)) this.#refuseMarkup();
      else if (this.#src.startsWith("<?", this.#pos))
        this.#fail("processing instructions are refused", this.#pos);
      else return;
    }
  }

  #refuseMarkup(): never {
    const at = this.#pos;
    if (this.#src.startsWith("<!DOCTYPE", at)) this.#fail("DOCTYPE declarations are refused", at);
    if (this.#src.startsWith("<![CDATA[", at)) this.#fail("CDATA sections are refused", at);
    return this.#fail("markup declarations are refused", at);
  }

  #comment(): void {
    const start = this.#pos;
    const end = this.#src.indexOf("-->", start + 4);
    if (end < 0) this.#fail("unterminated comment", start);
    const body = this.#src.slice(start + 4, end);
    if (body.includes("--") || body.endsWith("-")) this.#fail("'--' inside a comment", start);
    this.#pos = end + 3;
  }

  #element(depth: number): XmlElement {
    const start = this.#pos;
    if (depth > XML_MAX_DEPTH) this.#fail(`elements nested deeper than ${XML_MAX_DEPTH}`, start);
    this.#pos++; // "<"
    const name = this.#name();
    const attributes = new Map<string, string>();
    for (;;) {
      const spaced = this.#whitespace();
      if (this.#src.startsWith("/>", this.#pos)) {
        this.#pos += 2;
        return { name, attributes, children: [], text: "" };
      }
      if (this.#src.startsWith(">", this.#pos)) {
        this.#pos++;
        break;
      }
      if (!spaced) this.#fail("malformed start tag", this.#pos);
      const [attribute, value] = this.#attribute();
      if (attributes.has(attribute)) this.#fail("duplicate attribute", this.#pos);
      attributes.set(attribute, value);
    }
    const children: XmlElement[] = [];
    let text = "";
    for (;;) {
      const lt = this.#src.indexOf("<", this.#pos);
      if (lt < 0) this.#fail("unclosed element", start);
      if (lt > this.#pos) text += this.#chars(this.#src.slice(this.#pos, lt), this.#pos, false);
      this.#pos = lt;
      if (this.#src.startsWith("</", lt)) {
        this.#pos += 2;
        const closing = this.#name();
        this.#whitespace();
        if (!this.#src.startsWith(">", this.#pos)) this.#fail("malformed end tag", this.#pos);
        if (closing !== name) this.#fail("mismatched end tag", lt);
        this.#pos++;
        return { name, attributes, children, text };
      }
      if (this.#src.startsWith("<!--", lt)) this.#comment();
      else if (this.#src.startsWith("<!", lt)) this.#refuseMarkup();
      else if (this.#src.startsWith("<?", lt)) this.#fail("processing instructions are refused", lt);
      else children.push(this.#element(depth + 1));
    }
  }

  #attribute(): [string, string] {
    const name = this.#name();
    this.#whitespace();
    if (!this.#src.startsWith("=", this.#pos)) this.#fail("attribute without a value", this.#pos);
    this.#pos++;
    this.#whitespace();
    const quote = this.#src[this.#pos];
    if (quote !== '"' && quote !== "'") return this.#fail("unquoted attribute value", this.#pos);
    const end = this.#src.indexOf(quote, this.#pos + 1);
    if (end < 0) this.#fail("unterminated attribute value", this.#pos);
    const raw = this.#src.slice(this.#pos + 1, end);
    if (raw.includes("<")) this.#fail("'<' inside an attribute value", this.#pos);
    const value = this.#chars(raw, this.#pos + 1, true);
    this.#pos = end + 1;
    return [name, value];
  }

  /** Decodes character data: the five predefined entities and numeric references, nothing else. */
  #chars(raw: string, offset: number, attribute: boolean): string {
    if (!attribute && raw.includes("]]>")) this.#fail("']]>' in text", offset);
    // Attribute-value normalization (XML 1.0 §3.3.3): literal whitespace becomes a space.
    const source = attribute ? raw.replace(/[\t\n]/g, " ") : raw;
    let out = "";
    let from = 0;
    for (let amp = source.indexOf("&"); amp >= 0; amp = source.indexOf("&", from)) {
      REFERENCE.lastIndex = amp;
      const match = REFERENCE.exec(source);
      if (!match) return this.#fail("unknown entity or malformed character reference", offset + amp);
      out += source.slice(from, amp) + this.#resolve(match, offset + amp);
      from = REFERENCE.lastIndex;
    }
    return out + source.slice(from);
  }

  #resolve(match: RegExpExecArray, at: number): string {
    const [, entity, decimal, hex] = match;
    if (entity !== undefined) return PREDEFINED[entity] ?? this.#fail("unknown entity", at);
    const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? "", 16);
    const char = code <= 0x10ffff ? String.fromCodePoint(code) : "\u0000";
    if (INVALID_CHAR.test(char)) this.#fail("character reference to a character XML 1.0 does not allow", at);
    return char;
  }

  #name(): string {
    NAME.lastIndex = this.#pos;
    const match = NAME.exec(this.#src);
    if (!match) return this.#fail("expected a name", this.#pos);
    this.#pos = NAME.lastIndex;
    return match[0];
  }

  #whitespace(): boolean {
    const start = this.#pos;
    while (/[ \t\n]/.test(this.#src[this.#pos] ?? "")) this.#pos++;
    return this.#pos > start;
  }
}
