/**
 * The Content-Disposition of a download (client-server API, content repository: "Serving inline
 * content" and the download endpoints' headers): `inline` only for the content types the spec
 * lists as safe to render, `attachment` otherwise; the file name (the path's, else the upload's)
 * as RFC 6266 says — a quoted `filename` when it is plain ASCII, else RFC 5987's `filename*`.
 */

/** The spec's list of content types a server may serve inline. */
export const INLINE_CONTENT_TYPES: ReadonlySet<string> = new Set([
  "text/css",
  "text/plain",
  "text/csv",
  "application/json",
  "application/ld+json",
  "image/jpeg",
  "image/gif",
  "image/png",
  "image/apng",
  "image/webp",
  "image/avif",
  "video/mp4",
  "video/webm",
  "video/ogg",
  "video/quicktime",
  "audio/mp4",
  "audio/webm",
  "audio/aac",
  "audio/mpeg",
  "audio/ogg",
  "audio/wave",
  "audio/wav",
  "audio/x-wav",
  "audio/x-pn-wav",
  "audio/flac",
  "audio/x-flac",
]);

/** `image/PNG; charset=x` → `image/png`. */
function mediaTypeOf(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

export function isInlineSafe(contentType: string): boolean {
  return INLINE_CONTENT_TYPES.has(mediaTypeOf(contentType));
}

// Printable ASCII except the quoted-string's own specials: safe inside filename="…".
const PLAIN_ASCII = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;

/** RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else percent-encoded UTF-8. */
function encodeRfc5987(value: string): string {
  return Array.from(Buffer.from(value, "utf8"))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

export function contentDisposition(contentType: string, fileName: string | undefined): string {
  const type = isInlineSafe(contentType) ? "inline" : "attachment";
  if (fileName === undefined || fileName === "") return type;
  if (PLAIN_ASCII.test(fileName)) return `${type}; filename="${fileName}"`;
  return `${type}; filename*=utf-8''${encodeRfc5987(fileName)}`;
}
