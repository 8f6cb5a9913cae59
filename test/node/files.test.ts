import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeNpy, decodeNpy, writeAtomic, toJson } from "../../src/node/files.js";

const files = suite("node/files");

files("npy: the header is NumPy 1.0 with a 64-byte aligned data start, and data round-trips", () => {
  const data = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 0.5 - 3);
  const bytes = encodeNpy(data, [2, 3, 4]);
  assert.equal(Array.from(bytes.subarray(0, 8)), [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const hlen = bytes[8] | (bytes[9] << 8);
  assert.is((10 + hlen) % 64, 0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + hlen));
  assert.ok(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }"), header);
  assert.ok(header.endsWith("\n"));
  const back = decodeNpy(bytes);
  assert.equal(back.shape, [2, 3, 4]);
  assert.equal(Array.from(back.data), Array.from(data));
  assert.ok(decodeNpy(encodeNpy(Float32Array.from([1, 2]), [2])).shape.length === 1);
});

files("npy: a shape that does not match the data is an error", () => {
  assert.throws(() => encodeNpy(new Float32Array(5), [2, 3]), /shape \(2, 3\) holds 6 values/);
});

files("writeAtomic leaves the file complete and no temp files behind", () => {
  const dir = mkdtempSync(join(tmpdir(), "augsal-files-"));
  try {
    const p = join(dir, "sub", "a.json");
    writeAtomic(p, toJson({ a: 1 }));
    writeAtomic(p, toJson({ a: 2 }));
    assert.is(readFileSync(p, "utf8"), '{\n  "a": 2\n}\n');
    assert.equal(readdirSync(join(dir, "sub")), ["a.json"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

files.run();
