import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { sha256Hex, sha256F32, f32LE } from "../../src/core/sha256.js";

const sha = suite("core/sha256");
const text = (s: string) => new TextEncoder().encode(s);

sha("matches the FIPS 180-4 / NIST example vectors", () => {
  assert.is(sha256Hex(text("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.is(sha256Hex(text("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.is(
    sha256Hex(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  assert.is(
    sha256Hex(
      text(
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      ),
    ),
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
  );
  assert.is(
    sha256Hex(new Uint8Array(1_000_000).fill(0x61)),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
});

sha("equals node:crypto on every length 0..300 (all padding cases) and on views with an offset", () => {
  const buf = new Uint8Array(400);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 167 + 13) & 255;
  for (let n = 0; n <= 300; n++) {
    const v = buf.subarray(7, 7 + n);
    assert.is(sha256Hex(v), createHash("sha256").update(v).digest("hex"), `length ${n}`);
  }
  assert.is(sha256Hex(buf.buffer), createHash("sha256").update(buf).digest("hex"), "ArrayBuffer input");
});

sha("hashes floats as their little-endian bytes, offset views included", () => {
  const a = Float32Array.from([1, -0, 0.1, NaN, Infinity]);
  const le = new Uint8Array(20);
  const dv = new DataView(le.buffer);
  a.forEach((x, i) => dv.setFloat32(i * 4, x, true));
  assert.equal(Array.from(f32LE(a)), Array.from(le));
  assert.is(sha256F32(a), createHash("sha256").update(le).digest("hex"));
  assert.is(sha256F32(a.subarray(2)), createHash("sha256").update(le.subarray(8)).digest("hex"));
});

sha.run();
