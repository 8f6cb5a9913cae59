import { suite } from "uvu";
import * as assert from "uvu/assert";
import { encodeCheckpoint, decodeCheckpoint } from "../../src/nn/checkpoint.js";
import { PRESETS } from "../../src/nn/spec.js";

const ck = suite("nn/checkpoint");
const spec = PRESETS.tutorial;

ck("round-trips the spec and every float bit-exactly", () => {
  const params = Float32Array.from([0, -0, 1.5, -2.25e-30, 3.4e38, Math.PI, NaN]);
  const bytes = encodeCheckpoint(spec, params);
  const back = decodeCheckpoint(bytes);
  assert.equal(back.spec, spec);
  assert.equal(new Uint32Array(back.params.buffer), new Uint32Array(params.buffer));
});

ck("is little-endian with the documented header", () => {
  const bytes = encodeCheckpoint(spec, Float32Array.from([1]));
  assert.is(new TextDecoder().decode(bytes.subarray(0, 7)), "AUGSALW");
  assert.is(bytes[7], 0);
  assert.is(bytes[8], 1); // version 1, little-endian
  // the last four bytes are 1.0f little-endian: 00 00 80 3f
  assert.equal(Array.from(bytes.subarray(bytes.length - 4)), [0, 0, 0x80, 0x3f]);
});

ck("rejects a wrong magic, a wrong version and a truncated file, naming the file", () => {
  const good = encodeCheckpoint(spec, new Float32Array(8));
  const wrongMagic = good.slice();
  wrongMagic[0] = 0x41 + 1;
  assert.throws(() => decodeCheckpoint(wrongMagic, "w.bin"), /w\.bin: not an augsal weights file/);
  const wrongVersion = good.slice();
  wrongVersion[8] = 9;
  assert.throws(() => decodeCheckpoint(wrongVersion, "w.bin"), /w\.bin: version 9/);
  assert.throws(() => decodeCheckpoint(good.subarray(0, good.length - 4), "w.bin"), /w\.bin: expected 8 floats/);
  assert.throws(() => decodeCheckpoint(good.subarray(0, 10), "w.bin"), /too short/);
});

ck.run();
