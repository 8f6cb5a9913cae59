// Small IDX files for the data tests.

/** An unsigned-byte IDX file with the given dimensions; data defaults to 0, 1, 2, ... mod 256. */
export function idxBytes(dims: number[], data?: ArrayLike<number>, type = 0x08): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims.length + n);
  out[2] = type;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < n; i++) out[4 + 4 * dims.length + i] = data ? data[i] : i % 256;
  return out;
}
