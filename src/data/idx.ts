// The IDX format of LeCun's MNIST distribution (yann.lecun.com/exdb/mnist, "FILE FORMATS"), parsed
// from bytes with no runtime API, so the browser can use it too (Node file reading: src/node/idx.ts).
//
//   offset 0: 0x00 0x00            magic, always zero
//   offset 2: type                 0x08 = unsigned byte (the only type augsal reads)
//   offset 3: ndims                1 for labels (idx1), 3 for images (idx3)
//   offset 4: ndims x u32, big-endian   the dimensions (count first)
//   then the data, row-major, exactly prod(dims) elements
//
// Parsing copies nothing: the returned arrays are views on the given bytes.

/** A malformed IDX file; the message names the file and what is wrong. */
export class IdxError extends Error {
  override name = "IdxError";
}

export interface IdxArray {
  /** Dimensions, count first (e.g. [60000, 28, 28]). */
  dims: number[];
  /** The elements, row-major (a view on the input bytes). */
  data: Uint8Array;
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** (count, rows, cols) unsigned bytes, 0 = background. */
  images: Uint8Array;
}

export interface IdxLabels {
  count: number;
  labels: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: "unsigned byte",
  0x09: "signed byte",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

const hex = (b: Uint8Array, n: number) =>
  Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, "0")).join(" ");

/**
 * Parse an unsigned-byte IDX array with `ndims` dimensions. `name` (usually the file path) starts
 * every error message. Rejects: a gzip stream (not decompressed), a wrong magic number, another
 * element type or dimension count, a header or data shorter than declared (truncated), and bytes
 * after the data.
 */
export function parseIdx(bytes: Uint8Array, ndims: number, name = "IDX data"): IdxArray {
  const kind = ndims === 1 ? "labels (idx1)" : ndims === 3 ? "images (idx3)" : `idx${ndims}`;
  const expected = `00 00 08 ${ndims.toString(16).padStart(2, "0")}`;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new IdxError(
      `${name}: is gzip-compressed; decompress it first (files read from disk are gunzipped automatically)`,
    );
  }
  if (bytes.length < 4) {
    throw new IdxError(
      `${name}: truncated: ${bytes.length} bytes, too short for an IDX header (expected magic ${expected} for ${kind})`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxError(
      `${name}: not an IDX file: wrong magic number ${hex(bytes, 4)} (expected ${expected} for ${kind})`,
    );
  }
  const type = bytes[2];
  if (type !== 0x08) {
    const t = TYPE_NAMES[type] ?? `unknown type 0x${type.toString(16).padStart(2, "0")}`;
    throw new IdxError(
      `${name}: wrong magic number ${hex(bytes, 4)}: element type is ${t}, expected unsigned byte (${expected} for ${kind})`,
    );
  }
  if (bytes[3] !== ndims) {
    const what = bytes[3] === 1 ? "labels (idx1)" : bytes[3] === 3 ? "images (idx3)" : `an idx${bytes[3]} array`;
    throw new IdxError(`${name}: wrong magic number ${hex(bytes, 4)}: holds ${what}, expected ${kind} (${expected})`);
  }
  const header = 4 + 4 * ndims;
  if (bytes.length < header) {
    throw new IdxError(`${name}: truncated: the ${kind} header needs ${header} bytes, the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  let n = 1;
  for (const d of dims) n *= d;
  const have = bytes.length - header;
  if (have < n) {
    const per = n / Math.max(dims[0], 1);
    const whole = per > 0 ? Math.floor(have / per) : 0;
    throw new IdxError(
      `${name}: truncated: dimensions ${dims.join(" x ")} need ${n} data bytes after the ${header}-byte header, ` +
        `the file has ${have} (${whole} of ${dims[0]} items complete)`,
    );
  }
  if (have > n) {
    throw new IdxError(
      `${name}: ${have - n} unexpected bytes after the data (dimensions ${dims.join(" x ")} need exactly ${n})`,
    );
  }
  return { dims, data: bytes.subarray(header, header + n) };
}

/** Parse an idx3-ubyte image file: (count, rows, cols) unsigned bytes. */
export function parseImages(bytes: Uint8Array, name = "images"): IdxImages {
  const { dims, data } = parseIdx(bytes, 3, name);
  const [count, rows, cols] = dims;
  if (rows === 0 || cols === 0) throw new IdxError(`${name}: images of ${rows} x ${cols} pixels`);
  return { count, rows, cols, images: data };
}

/** Parse an idx1-ubyte label file. */
export function parseLabels(bytes: Uint8Array, name = "labels"): IdxLabels {
  const { dims, data } = parseIdx(bytes, 1, name);
  return { count: dims[0], labels: data };
}

/** Images and labels that belong together: the counts must agree. */
export function pairImagesLabels(
  images: IdxImages,
  labels: IdxLabels,
  imagesName = "images",
  labelsName = "labels",
): IdxImages & IdxLabels {
  if (images.count !== labels.count) {
    throw new IdxError(
      `label count ${labels.count} in ${labelsName} differs from image count ${images.count} in ${imagesName}`,
    );
  }
  return { ...images, labels: labels.labels };
}
