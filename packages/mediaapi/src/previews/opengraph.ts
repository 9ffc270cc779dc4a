/**
 * The OpenGraph data of an HTML page: its `<meta property="og:…" content="…">` tags, and where
 * it has no og:title / og:description, its `<title>` and `<meta name="description">`. A small tag
 * scanner over the start of the page, not an HTML parser: comments, scripts and styles are cut
 * out first (so a tag inside them does not count), then `<meta>` and `<title>` are read. It never
 * runs scripts or follows anything; values are plain text, entities decoded, whitespace squeezed,
 * length capped.
 */

/** Only the start of a page is scanned: the head, where meta tags live. */
export const MAX_SCANNED_HTML_BYTES = 1024 * 1024;
/** Longest value kept (Synapse cuts descriptions to 500 characters). */
const MAX_VALUE_CHARS = 500;
/** At most this many og: keys, so a page cannot make a huge answer. */
const MAX_KEYS = 50;

export type OpenGraph = Record<string, string>;

/** Decodes the start of `body` as `charset` (from the header, else the page's meta charset, else UTF-8). */
export function decodeHtml(body: Buffer, charset: string | undefined): string {
  const head = body.subarray(0, MAX_SCANNED_HTML_BYTES);
  const declared = charset ?? /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(head.subarray(0, 4096).toString("latin1"))?.[1];
  try {
    return new TextDecoder(declared ?? "utf-8").decode(head);
  } catch {
    return new TextDecoder("utf-8").decode(head); // an unknown charset label
  }
}

export function parseOpenGraph(html: string): OpenGraph {
  const text = html.replace(/<!--[\s\S]*?(-->|$)/g, "").replace(/<(script|style|noscript|template)\b[\s\S]*?(<\/\1\s*>|$)/gi, "");
  const og: OpenGraph = {};
  let description: string | undefined;
  for (const m of text.matchAll(/<meta\b([^>]*)>/gi)) {
    const attrs = attributes(m[1] ?? "");
    const key = (attrs["property"] ?? attrs["name"] ?? "").toLowerCase();
    const content = attrs["content"];
    if (content === undefined) continue;
    if (key.startsWith("og:") && !(key in og) && Object.keys(og).length < MAX_KEYS) {
      const value = clean(content);
      if (value !== "") og[key] = value;
    } else if (key === "description" && description === undefined) {
      description = clean(content);
    }
  }
  if (og["og:title"] === undefined) {
    const title = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(text)?.[1];
    if (title !== undefined && clean(title) !== "") og["og:title"] = clean(title);
  }
  if (og["og:description"] === undefined && description) og["og:description"] = description;
  return og;
}

/** `name="v" name='v' name=v name` → a map (lower-cased names, first one wins; values still encoded). */
function attributes(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([^\s"'=<>/`]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (!(name in out)) out[name] = m[2] ?? m[3] ?? m[4] ?? "";
  }
  return out;
}

const NAMED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6}|#39);/gi, (whole, e: string) => {
    if (e[0] === "#") {
      const cp = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : whole;
    }
    return NAMED[e.toLowerCase()] ?? whole;
  });
}

function clean(s: string): string {
  const text = decodeEntities(s.replace(/<[^>]*>/g, "")).replace(/\s+/g, " ").trim();
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}
