// The run folder's file primitives: every file is written atomically (a temp file in the same folder,
// fsync, then rename; ./atomic.ts), so a run that stops leaves either the old file or the new one,
// never half. Under an open run folder (./runfolder.ts) writes are listed in its manifest with their
// SHA-256, and reads are checked against it: a damaged file is an error naming it and its repair.
import { readFileSync, existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { writeAtomic as writeFileAtomic, fileError } from "./atomic.js";
import { runFolderOf } from "./runfolder.js";
import { RunFileError } from "./schemas.js";

export function writeAtomic(path: string, data: string | Uint8Array): void {
  const owner = runFolderOf(path);
  if (owner) owner.rf.write(owner.rel, data);
  else writeFileAtomic(path, data);
}

/** Several files written atomically; those under one open run folder with two manifest writes in all
 *  (RunFolder.writeMany) rather than two each. */
export function writeAtomicMany(files: { path: string; data: string | Uint8Array }[]): void {
  const owners = files.map((f) => runFolderOf(f.path));
  const rf = owners[0]?.rf;
  if (rf && owners.every((o) => o?.rf === rf)) {
    rf.writeMany(files.map((f, i) => ({ rel: owners[i]!.rel, data: f.data })));
  } else {
    for (const f of files) writeAtomic(f.path, f.data);
  }
}

/** A file's bytes; under an open run folder, checked against the manifest. */
export function readFile(path: string): Buffer {
  const owner = runFolderOf(path);
  if (owner) return owner.rf.read(owner.rel, owner.rf.repairHint(owner.rel));
  try {
    return readFileSync(path);
  } catch (e) {
    throw fileError(path, "read", e);
  }
}

/** JSON with two-space indentation and a final newline: stable bytes for stable values. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

export function writeJson(path: string, value: unknown): void {
  writeAtomic(path, toJson(value));
}

export function readJson<T>(path: string): T {
  const text = readFile(path).toString("utf8");
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    const owner = runFolderOf(path);
    throw new RunFileError(path, `not valid JSON (${(e as Error).message})`, owner?.rf.repairHint(owner.rel));
  }
}

/** Whether a file exists; under an open run folder, whether the run finished writing it (listed, checksum). */
export function exists(path: string): boolean {
  const owner = runFolderOf(path);
  if (owner) return owner.rf.has(owner.rel);
  return existsSync(path);
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * A NumPy .npy file (format version 1.0) holding little-endian float32 data of the given shape,
 * C order: numpy.load reads it directly.
 */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length)
    throw new RangeError(`npy: shape (${shape.join(", ")}) holds ${n} values, data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // magic (6) + version (2) + header length (2) + header + newline, padded to a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const out = new Uint8Array(total + data.length * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  const dv = new DataView(out.buffer);
  dv.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  for (let i = 0; i < data.length; i++) dv.setFloat32(total + i * 4, data[i], true);
  return out;
}

/** Read back a float32 .npy written by encodeNpy (or numpy, '<f4', C order). */
export function decodeNpy(bytes: Uint8Array, name = "npy file"): { data: Float32Array; shape: number[] } {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== "NUMPY") {
    throw new Error(`${name}: not a .npy file`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const hstart = major === 1 ? 10 : 12;
  const header = String.fromCharCode(...bytes.subarray(hstart, hstart + hlen));
  if (!header.includes("'<f4'") || header.includes("'fortran_order': True"))
    throw new Error(`${name}: only little-endian float32 in C order is supported`);
  const m = header.match(/'shape': \(([^)]*)\)/);
  if (!m) throw new Error(`${name}: no shape in the header`);
  const shape = m[1]
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const start = hstart + hlen;
  if (bytes.length !== start + n * 4) throw new Error(`${name}: expected ${n} float32 values after the header`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = dv.getFloat32(start + i * 4, true);
  return { data, shape };
}
