// A minimal well-formedness check for the generated SVG and HTML: every tag closes in order, every
// attribute is quoted, every '&' starts an entity, every '<' starts a tag. Not a full XML parser;
// enough to catch the mistakes string-built markup makes. Throws a plain Error (so tests can also
// assert that it rejects broken markup).

const VOID_HTML = new Set(["meta", "img", "br", "hr", "link", "input", "col", "wbr", "source"]);
const TAG = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*(\/?)>/g;

function fail(msg: string): never {
  throw new Error(`not well-formed: ${msg}`);
}

export function checkWellFormed(doc: string, html = false): void {
  const body = doc
    .replace(/^<\?xml[^>]*\?>/, "")
    .replace(/^<!DOCTYPE[^>]*>/i, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    // HTML script elements hold raw text (the inlined chart libraries, the specs' JSON), not markup.
    .replace(/<script\b([^>]*)>[\s\S]*?<\/script>/g, "<script$1></script>");
  const bad = /&(?!(?:amp|lt|gt|quot|#39|#\d+|#x[0-9a-f]+);)/i.exec(body);
  if (bad) fail(`a bare '&' near: ${body.slice(Math.max(0, bad.index - 40), bad.index + 40)}`);
  const stack: string[] = [];
  let tags = 0;
  for (const m of body.matchAll(TAG)) {
    tags++;
    const [, close, name, , selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) fail(`</${name}> closes <${open ?? "nothing"}>`);
    } else if (!selfClose && !(html && VOID_HTML.has(name.toLowerCase()))) {
      stack.push(name);
    }
  }
  const lt = body.match(/</g)?.length ?? 0;
  if (tags !== lt) fail(`${lt - tags} '<' that begin no well-formed tag`);
  if (stack.length) fail(`unclosed tags: ${stack.join(", ")}`);
}
