// Node-only reading of IDX files, raw or gzip-compressed (detected by the gzip magic bytes 1f 8b,
// whatever the file is called). Parsing is ./idx.ts's, which runs anywhere.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { IdxError, pairImagesLabels, parseImages, parseLabels, type IdxImages, type IdxLabels } from "../data/idx.js";

/** The bytes of an IDX file, gunzipped if it is a gzip stream. Errors name the file. */
export function readIdxBytes(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : err.message;
    throw new IdxError(`cannot read ${path}: ${why}`);
  }
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const out = gunzipSync(raw);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (e) {
      throw new IdxError(`${path}: not a valid gzip file (${(e as Error).message})`);
    }
  }
  return bytes;
}

/** Read an idx3-ubyte image file (raw or .gz). */
export function readImages(path: string): IdxImages {
  return parseImages(readIdxBytes(path), path);
}

/** Read an idx1-ubyte label file (raw or .gz). */
export function readLabels(path: string): IdxLabels {
  return parseLabels(readIdxBytes(path), path);
}

/** Read an image file and its label file; the counts must agree. */
export function readImagesLabels(imagesPath: string, labelsPath: string): IdxImages & IdxLabels {
  return pairImagesLabels(readImages(imagesPath), readLabels(labelsPath), imagesPath, labelsPath);
}
