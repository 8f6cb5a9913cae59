// The weights file: one small binary, little-endian, runtime-neutral (no file system here).
//   0  "AUGSALW\0"        magic (8 bytes)
//   8  u32 version = 1
//  12  u32 L              byte length of the model spec as UTF-8 JSON
//  16  L bytes            the spec ({ input, layers }), then zero padding to a multiple of 4
//   .  u32 P              number of floats
//   .  P x f32            the model's padded parameter region, as Model.getParams() returns it
import type { ModelSpec } from "./spec.js";

const MAGIC = "AUGSALW\0";
export const CHECKPOINT_VERSION = 1;

export function encodeCheckpoint(spec: ModelSpec, params: Float32Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(spec));
  const specPad = Math.ceil(json.length / 4) * 4;
  const bytes = new Uint8Array(16 + specPad + 4 + params.length * 4);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < 8; i++) bytes[i] = MAGIC.charCodeAt(i);
  dv.setUint32(8, CHECKPOINT_VERSION, true);
  dv.setUint32(12, json.length, true);
  bytes.set(json, 16);
  let o = 16 + specPad;
  dv.setUint32(o, params.length, true);
  o += 4;
  for (let i = 0; i < params.length; i++, o += 4) dv.setFloat32(o, params[i], true);
  return bytes;
}

export function decodeCheckpoint(bytes: Uint8Array, name = "weights file"): { spec: ModelSpec; params: Float32Array } {
  const bad = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
  if (bytes.length < 20) bad(`too short (${bytes.length} bytes) to be an augsal weights file`);
  for (let i = 0; i < 8; i++)
    if (bytes[i] !== MAGIC.charCodeAt(i)) bad("not an augsal weights file (wrong magic number)");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION)
    bad(`version ${version} is not supported (this augsal reads version ${CHECKPOINT_VERSION})`);
  const L = dv.getUint32(12, true);
  const specPad = Math.ceil(L / 4) * 4;
  if (16 + specPad + 4 > bytes.length) bad("truncated in the model spec");
  let spec: ModelSpec;
  try {
    spec = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + L)));
  } catch {
    return bad("the model spec is not valid JSON");
  }
  let o = 16 + specPad;
  const P = dv.getUint32(o, true);
  o += 4;
  if (o + P * 4 !== bytes.length) bad(`expected ${P} floats (${o + P * 4} bytes), the file has ${bytes.length} bytes`);
  const params = new Float32Array(P);
  for (let i = 0; i < P; i++, o += 4) params[i] = dv.getFloat32(o, true);
  return { spec, params };
}
