/**
 * The bytes of uploaded media, on disk under base_path and named by their sha256 (content
 * addressing): the same content uploaded twice is stored once. An upload streams into a temp
 * file beside the store, is flushed to disk, then renamed into place: a reader never sees a
 * half-written file, and a crash leaves at most a stray temp file, never a wrong one.
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, type ReadStream } from "node:fs";
import { access, mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface StoredFile {
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** The upload went past `maxBytes`: nothing was kept. */
export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`upload is larger than ${maxBytes} bytes`);
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class FileStore {
  private readonly tmpDir: string;
  private readonly contentDir: string;

  constructor(basePath: string) {
    this.tmpDir = join(basePath, "tmp");
    this.contentDir = join(basePath, "content");
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(this.contentDir, { recursive: true });
  }

  /** content/ab/cd/abcd…: two levels of fan-out keep directories small. */
  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.contentDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * Streams `source` into the store. Over `maxBytes` → FileTooLargeError, and the temp file is
   * gone; so it is when the source fails (the client went away).
   */
  async write(source: Readable, maxBytes: number): Promise<StoredFile> {
    const tmp = join(this.tmpDir, `${randomBytes(12).toString("hex")}.part`);
    const hash = createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new FileTooLargeError(maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmp, { flags: "wx" }));
      // Flushed before the rename: after a crash the name never points at missing bytes.
      const fh = await open(tmp, "r");
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      const sha256 = hash.digest("hex");
      const target = this.pathOf(sha256);
      if (await exists(target)) {
        await rm(tmp, { force: true });
      } else {
        await mkdir(join(target, ".."), { recursive: true });
        // Two uploads of the same bytes at once: both renames put the same content in place.
        await rename(tmp, target);
      }
      return { sha256, sizeBytes: size };
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** The stored bytes; undefined when the file is missing. */
  async read(sha256: string): Promise<ReadStream | undefined> {
    try {
      const fh = await open(this.pathOf(sha256), "r");
      return fh.createReadStream();
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined;
      throw e;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
