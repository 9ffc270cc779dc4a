/**
 * Which thumbnail answers a request (client-server API, content repository, "Thumbnails"). We make
 * only the spec's five sizes, so what one image can cost us is bounded however clients ask: the
 * answer is the smallest of them that is at least as large as asked (the asked method first),
 * else the original content — which is what the spec wants when the image is smaller than asked,
 * and is the only image at least as large as asked when the request is beyond 800×600. Nothing is
 * ever upscaled: a size larger than the image in a dimension gives that dimension of the image.
 * "As large as asked" is what the client can draw from it, see chooseThumbnailSize.
 */

export type ThumbnailMethod = "crop" | "scale";

export interface Dimensions {
  readonly width: number;
  readonly height: number;
}

export interface ThumbnailSize extends Dimensions {
  readonly method: ThumbnailMethod;
}

/** Spec: "Servers SHOULD produce thumbnails with the following dimensions and methods". */
export const STANDARD_THUMBNAIL_SIZES: readonly ThumbnailSize[] = [
  { width: 32, height: 32, method: "crop" },
  { width: 96, height: 96, method: "crop" },
  { width: 320, height: 240, method: "scale" },
  { width: 640, height: 480, method: "scale" },
  { width: 800, height: 600, method: "scale" },
];

/**
 * The dimensions `size` gives for an image of `original`'s: crop → the size's box, cut down to the
 * image where the image is smaller (the image is then cropped, not scaled up); scale → the image
 * scaled to fit inside the box, or the image's own when it already fits.
 */
export function outputDimensions(original: Dimensions, size: ThumbnailSize): Dimensions {
  if (size.method === "crop") {
    return { width: Math.min(size.width, original.width), height: Math.min(size.height, original.height) };
  }
  const factor = Math.min(1, size.width / original.width, size.height / original.height);
  return {
    width: Math.max(1, Math.round(original.width * factor)),
    height: Math.max(1, Math.round(original.height * factor)),
  };
}

/**
 * The standard size that answers `request` for an image of `original`'s dimensions, or "original".
 * A thumbnail is large enough when the client can make what it asked for from it without scaling
 * up: at least the image cropped to the asked box (crop), or scaled into it (scale) — the same
 * `outputDimensions` of the request itself.
 */
export function chooseThumbnailSize(original: Dimensions, request: ThumbnailSize): ThumbnailSize | "original" {
  const needed = outputDimensions(original, request);
  const candidates = STANDARD_THUMBNAIL_SIZES.map((size) => ({ size, out: outputDimensions(original, size) }))
    .filter(({ out }) => out.width >= needed.width && out.height >= needed.height)
    .sort((a, b) => a.out.width * a.out.height - b.out.width * b.out.height);
  const best = candidates.find((c) => c.size.method === request.method) ?? candidates[0];
  return best ? best.size : "original";
}
