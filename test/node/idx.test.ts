import { suite } from "uvu";
import * as assert from "uvu/assert";
import { errorOf } from "../helpers.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { IdxError } from "../../src/data/idx.js";
import { readIdxBytes, readImages, readImagesLabels, readLabels } from "../../src/node/idx.js";
import { idxBytes } from "../data/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "augsal-idx-"));
const file = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

const node = suite("node/idx");

node("reads raw and gzip files alike (gzip found by its magic bytes, whatever the name)", () => {
  const bytes = idxBytes([2, 3, 3]);
  const raw = readImages(file("a-images-idx3-ubyte", bytes));
  const gz = readImages(file("a-images-idx3-ubyte.gz", gzipSync(bytes)));
  const odd = readImages(file("oddly-named", gzipSync(bytes)));
  for (const im of [raw, gz, odd]) {
    assert.equal([im.count, im.rows, im.cols], [2, 3, 3]);
    assert.equal(
      Array.from(im.images),
      Array.from({ length: 18 }, (_, i) => i),
    );
  }
  assert.equal(Array.from(readIdxBytes(file("b.gz", gzipSync(bytes)))), Array.from(bytes));
});

node("errors name the file: missing, a directory, wrong magic, truncated, broken gzip", () => {
  const missing = join(dir, "nope-idx1-ubyte");
  let e = errorOf(() => readLabels(missing));
  assert.instance(e, IdxError);
  assert.is(e.message, `cannot read ${missing}: no such file`);
  e = errorOf(() => readLabels(dir));
  assert.is(e.message, `cannot read ${dir}: is a directory`);
  const wrong = file("wrong-labels-idx1-ubyte", idxBytes([2, 2, 2]));
  assert.match(errorOf(() => readLabels(wrong)).message, `${wrong}: wrong magic number 00 00 08 03`);
  const cut = idxBytes([10, 4, 4]);
  const trunc = file("cut-images-idx3-ubyte.gz", gzipSync(cut.subarray(0, 100)));
  assert.match(
    errorOf(() => readImages(trunc)).message,
    `${trunc}: truncated: dimensions 10 x 4 x 4 need 160 data bytes`,
  );
  const broken = file("broken.gz", gzipSync(cut).subarray(0, 30));
  assert.match(errorOf(() => readImages(broken)).message, `${broken}: not a valid gzip file`);
});

node("image and label counts must agree", () => {
  const im = file("c-images-idx3-ubyte", idxBytes([3, 2, 2]));
  const lb = file("c-labels-idx1-ubyte", idxBytes([2]));
  const e = errorOf(() => readImagesLabels(im, lb));
  assert.is(e.message, `label count 2 in ${lb} differs from image count 3 in ${im}`);
});

node.after(() => rmSync(dir, { recursive: true, force: true }));
node.run();
