/**
 * Reads and thumbnails stored images with sharp (libvips). Only JPEG, PNG, GIF and WebP are
 * thumbnailed, by what the decoder finds in the bytes (never by the uploaded Content-Type alone:
 * an SVG or a PDF labelled image/png must not reach their decoders). EXIF orientation is applied
 * first, so dimensions are the image as seen. Thumbnails are JPEG for JPEG originals and PNG for
 * the others (as Synapse does: PNG keeps transparency and sharp edges), and always still images:
 * an animated original is asked for as is (see routing/thumbnail.ts), never re-encoded animated.
 */
import sharp, { type Metadata } from "sharp";
import { outputDimensions, type Dimensions, type ThumbnailSize } from "./sizes";

/** Larger images are not decoded at all (spec: 413 M_TOO_LARGE); Synapse's max_image_pixels. */
export const MAX_THUMBNAIL_SOURCE_PIXELS = 32_000_000;

/** The decoders' formats we thumbnail, and the content type each is served under. */
const THUMBNAILABLE_FORMATS: Readonly<Record<string, string>> = {
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
};

export interface ImageInfo extends Dimensions {
  /** The content type of the bytes as decoded (one of THUMBNAILABLE_FORMATS'). */
  readonly contentType: string;
  /** More than one frame (an animated GIF or WebP). */
  readonly animated: boolean;
}

/** The bytes are not an image we can thumbnail (another type, or unreadable). */
export class NotThumbnailableError extends Error {}

/** The image has more pixels than MAX_THUMBNAIL_SOURCE_PIXELS. */
export class ImageTooLargeError extends Error {}

export interface Thumbnail extends Dimensions {
  readonly bytes: Buffer;
  readonly contentType: string;
}

/** Reads the image's header only (no pixels are decoded): of a stored file, or of bytes in memory. */
export async function readImageInfo(path: string | Buffer): Promise<ImageInfo> {
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new NotThumbnailableError(`not a readable image: ${(e as Error).message}`);
  }
  const contentType = THUMBNAILABLE_FORMATS[meta.format];
  if (!contentType) throw new NotThumbnailableError(`cannot thumbnail ${meta.format} images`);
  // Opened with one page (the default), an animated image's dimensions are its first frame's.
  const { width, height } = meta.autoOrient;
  if (!(width > 0 && height > 0)) throw new NotThumbnailableError("image has no dimensions");
  if (width * height > MAX_THUMBNAIL_SOURCE_PIXELS) throw new ImageTooLargeError(`image is ${width}×${height} pixels`);
  return { width, height, contentType, animated: (meta.pages ?? 1) > 1 };
}

/** A still thumbnail of the image at `path` (first frame of an animated one) for `size`. */
export async function renderThumbnail(path: string, info: ImageInfo, size: ThumbnailSize): Promise<Thumbnail> {
  const out = outputDimensions(info, size);
  // Both sides are at most the image's (outputDimensions): cover scales down or not at all, then
  // cuts the centre; for scale the box already has the image's aspect.
  const image = sharp(path, { autoOrient: true, limitInputPixels: MAX_THUMBNAIL_SOURCE_PIXELS, failOn: "error" }).resize({
    width: out.width,
    height: out.height,
    fit: size.method === "crop" ? "cover" : "fill",
    position: "centre",
  });
  const encoded = info.contentType === "image/jpeg" ? image.jpeg({ quality: 80 }) : image.png();
  try {
    const { data, info: written } = await encoded.toBuffer({ resolveWithObject: true });
    return { bytes: data, width: written.width, height: written.height, contentType: info.contentType === "image/jpeg" ? "image/jpeg" : "image/png" };
  } catch (e) {
    // The header was fine but the pixels are not (truncated or corrupt data).
    throw new NotThumbnailableError(`image cannot be decoded: ${(e as Error).message}`);
  }
}
