import { ResponseParseError } from "@partner-oauth/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeXml, parseXml, XML_MAX_BYTES, XML_MAX_DEPTH, type XmlElement } from "../src/xml.js";

const where = { provider: "braintree", operation: "exchange" } as const;
const parse = (xml: string) => parseXml(xml, where, 200);

function rejects(xml: string, reason: RegExp) {
  let thrown: unknown;
  try {
    parse(xml);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ResponseParseError);
  expect((thrown as ResponseParseError).message).toMatch(reason);
  expect(thrown).toMatchObject({ provider: "braintree", operation: "exchange", status: 200 });
  return thrown as ResponseParseError;
}

const child = (element: XmlElement, name: string) => element.children.find((c) => c.name === name);

describe("parseXml: the documents Braintree sends", () => {
  it("reads a <credentials> document with declaration, attributes and whitespace", () => {
    const root = parse(`<?xml version="1.0" encoding="UTF-8"?>
<credentials>
  <access-token>access_token$sandbox$g8cnjbnz83htzgm4$4f1c</access-token>
  <expires-at type="datetime">2036-05-02T10:15:30Z</expires-at>
  <token-type>bearer</token-type>
</credentials>
`);
    expect(root.name).toBe("credentials");
    expect(root.children.map((c) => c.name)).toEqual(["access-token", "expires-at", "token-type"]);
    expect(child(root, "access-token")?.text).toBe("access_token$sandbox$g8cnjbnz83htzgm4$4f1c");
    expect(child(root, "expires-at")?.attributes.get("type")).toBe("datetime");
  });

  it("reads self-closing elements, comments, single-quoted attributes and a BOM", () => {
    const root = parse(
      `\uFEFF<?xml version='1.0'?><!-- hi --><errors><errors type='array'/><!-- x --></errors>`,
    );
    expect(root.children[0]).toMatchObject({ name: "errors", text: "", children: [] });
    expect(root.children[0]?.attributes.get("type")).toBe("array");
  });

  it("decodes the five predefined entities and numeric references, once", () => {
    const root = parse(`<m a="&quot;&apos;&#x41;">&amp;&lt;&gt;&quot;&apos;&#65;&#x1F600;&amp;amp;</m>`);
    expect(root.text).toBe(`&<>"'A😀&amp;`);
    expect(root.attributes.get("a")).toBe(`"'A`);
  });

  it("keeps quotes of the other kind inside attribute values and normalizes their whitespace", () => {
    const root = parse(`<m a='say "hi"' b="it's" c="x\ty\nz"/>`);
    expect(root.attributes.get("a")).toBe('say "hi"');
    expect(root.attributes.get("b")).toBe("it's");
    expect(root.attributes.get("c")).toBe("x y z");
  });

  it("keeps an attribute named __proto__ as data", () => {
    const root = parse(`<m __proto__="x" constructor="y"/>`);
    expect(root.attributes.get("__proto__")).toBe("x");
    expect(Object.getPrototypeOf(root.attributes)).toBe(Map.prototype);
  });

  it("normalizes CRLF line ends", () => {
    expect(parse("<m>a\r\nb\rc</m>").text).toBe("a\nb\nc");
  });
});

describe("parseXml: hostile and malformed input becomes ResponseParseError", () => {
  it("refuses billion laughs (entity declarations) without expanding anything", () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<credentials><access-token>&lol2;</access-token></credentials>`;
    rejects(laughs, /DOCTYPE/);
  });

  it("refuses XXE (an external entity) and never reads the file", () => {
    const error = rejects(
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`,
      /DOCTYPE/,
    );
    expect(error.message).not.toContain("root:");
    expect(error.message).not.toContain("passwd");
  });

  it("refuses undeclared entities, bare ampersands and a DOCTYPE-less entity reference", () => {
    rejects("<x>&e;</x>", /entity/);
    rejects("<x>a & b</x>", /entity/);
    rejects("<x>&amp</x>", /entity/);
    rejects('<x a="&nbsp;"/>', /entity/);
    rejects("<x>&AMP;</x>", /entity/);
  });

  it("refuses stray markup declarations, CDATA and processing instructions", () => {
    rejects("<!ENTITY e 'x'><x/>", /markup declarations/);
    rejects("<x><![CDATA[<y/>]]></x>", /CDATA/);
    rejects('<?xml-stylesheet href="a"?><x/>', /processing instructions/);
    rejects("<x><?php echo 1; ?></x>", /processing instructions/);
    rejects('<x/><?xml version="1.0"?>', /processing instructions/);
    rejects('<x/><!DOCTYPE x SYSTEM "http://evil.example/x.dtd">', /DOCTYPE/);
    rejects("<x>]]></x>", /']]>'/);
  });

  it("refuses a malformed or non-UTF-8 declaration", () => {
    rejects('<?xml version="1.0" encoding="ISO-8859-1"?><x/>', /UTF-8/);
    rejects("<?xml version=1.0?><x/>", /declaration/);
    rejects(' <?xml version="1.0"?><x/>', /processing instructions/);
  });

  it("refuses unclosed, mismatched and overlapping tags", () => {
    rejects("<credentials><access-token>x</credentials>", /mismatched/);
    rejects("<a><b></a></b>", /mismatched/);
    rejects("<credentials><access-token>x", /unclosed/);
    rejects("<credentials", /start tag|name/);
    rejects("<a></a ", /end tag/);
    rejects("<a>", /unclosed/);
  });

  it("refuses empty input, text outside the root and two roots", () => {
    rejects("", /empty/);
    rejects("   ", /root/);
    rejects("just text", /root/);
    rejects("<a/>trailing", /after the root/);
    rejects("<a/><b/>", /after the root/);
    rejects('{"access_token":"x"}', /root/);
  });

  it("refuses broken attributes", () => {
    rejects('<a b="1" b="2"/>', /duplicate/);
    rejects("<a b=1/>", /unquoted/);
    rejects('<a b="1/>', /unterminated/);
    rejects("<a b/>", /without a value/);
    rejects('<a b="1"c="2"/>', /start tag/);
    rejects('<a b="<"/>', /'<'/);
  });

  it("refuses invalid numeric references", () => {
    rejects("<x>&#0;</x>", /character reference/);
    rejects("<x>&#x0;</x>", /character reference/);
    rejects("<x>&#xD800;</x>", /character reference/);
    rejects("<x>&#xFFFE;</x>", /character reference/);
    rejects("<x>&#x110000;</x>", /character reference/);
    rejects("<x>&#99999999;</x>", /reference/);
    rejects("<x>&#;</x>", /reference/);
    rejects("<x>&#x;</x>", /reference/);
    rejects("<x>&#X41;</x>", /reference/);
    rejects("<x>&#-1;</x>", /reference/);
  });

  it("refuses characters XML 1.0 does not allow", () => {
    rejects("<x>\u0000</x>", /character/);
    rejects("<x>\u001b[31m</x>", /character/);
    rejects("<x>\uD800</x>", /character/);
  });

  it("refuses comments that XML forbids", () => {
    rejects("<x><!-- a -- b --></x>", /comment/);
    rejects("<x><!-- a ---></x>", /comment/);
    rejects("<x><!-- never closed</x>", /unterminated comment/);
  });

  it(`refuses input over ${XML_MAX_BYTES} bytes, counting UTF-8 bytes`, () => {
    const big = `<x>${"a".repeat(XML_MAX_BYTES)}</x>`;
    rejects(big, /larger than/);
    // Under the limit in UTF-16 units, over it in bytes.
    const wide = `<x>${"é".repeat(XML_MAX_BYTES / 2)}</x>`;
    expect(wide.length).toBeLessThan(XML_MAX_BYTES);
    rejects(wide, /larger than/);
    expect(parse(`<x>${"a".repeat(XML_MAX_BYTES - 10)}</x>`).text).toHaveLength(XML_MAX_BYTES - 10);
  });

  it(`refuses nesting deeper than ${XML_MAX_DEPTH}, without overflowing the stack`, () => {
    const nest = (depth: number) => `${"<a>".repeat(depth)}${"</a>".repeat(depth)}`;
    expect(parse(nest(XML_MAX_DEPTH)).name).toBe("a");
    rejects(nest(XML_MAX_DEPTH + 1), /deeper/);
    rejects("<a>".repeat(20_000), /deeper/);
  });

  it("refuses non-string input", () => {
    expect(() => parseXml(undefined, where)).toThrow(ResponseParseError);
    expect(() => parseXml({ credentials: {} }, where)).toThrow(ResponseParseError);
  });

  it("never quotes the input in its message", () => {
    const secret = "access_token$sandbox$m$supersecretvalue";
    for (const xml of [
      `<credentials><access-token>${secret}</credentials>`,
      `<${secret.replaceAll("$", "")}>`,
      `<x>${secret}&bogus;</x>`,
      `<x a="${secret}`,
    ]) {
      const error = rejects(xml, /./);
      expect(`${String(error)} ${JSON.stringify(error)} ${error.stack}`).not.toContain("supersecretvalue");
    }
  });
});

describe("escapeXml", () => {
  it("escapes markup characters and whitespace a parser would normalize", () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>\r\n\t`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;&#13;&#10;&#9;",
    );
  });

  it("refuses characters XML cannot carry", () => {
    expect(() => escapeXml("\u0000")).toThrow(TypeError);
    expect(() => escapeXml("\uDC00")).toThrow(TypeError);
  });
});

describe("properties", () => {
  const anyText = fc.oneof(
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.string({ maxLength: 200 }),
    // Strings made of XML's own building blocks find deeper paths than random characters do.
    fc
      .array(
        fc.constantFrom(
          "<",
          ">",
          "/",
          "</",
          "/>",
          "a",
          "b",
          " ",
          "=",
          '"',
          "'",
          "&",
          ";",
          "#",
          "x",
          "&amp;",
          "&#",
          "<!--",
          "-->",
          "<!",
          "<?",
          "?>",
          "<?xml ",
          "<a>",
          "</a>",
          "<b x='1'>",
          "</b>",
          "]]>",
          "\n",
        ),
        { maxLength: 60 },
      )
      .map((parts) => parts.join("")),
  );

  it("throws nothing but ResponseParseError on any input", () => {
    fc.assert(
      fc.property(anyText, (input) => {
        try {
          const root = parse(input);
          expect(typeof root.name).toBe("string");
        } catch (error) {
          if (!(error instanceof ResponseParseError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips any representable value through escapeXml → parseXml, as text and attribute", () => {
    const value = fc.string({ unit: "binary", maxLength: 300 }).filter((s) => {
      try {
        escapeXml(s);
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        return false;
      }
    });
    fc.assert(
      fc.property(value, fc.string({ unit: "grapheme", maxLength: 50 }), (text, attribute) => {
        fc.pre(!/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(attribute));
        const root = parse(`<v a="${escapeXml(attribute)}">${escapeXml(text)}</v>`);
        expect(root.text).toBe(text);
        expect(root.attributes.get("a")).toBe(attribute);
      }),
      { numRuns: 1000 },
    );
  });
});
