import { suite } from "uvu";
import * as assert from "uvu/assert";
import { IdxError, pairImagesLabels, parseIdx, parseImages, parseLabels } from "../../src/data/idx.js";
import { idxBytes } from "./fixtures.js";

const throwsIdx = (fn: () => unknown, pattern: RegExp, what: string) => {
  try {
    fn();
  } catch (e) {
    assert.instance(e, IdxError, `${what}: an IdxError`);
    assert.match((e as Error).message, pattern, what);
    return;
  }
  assert.unreachable(`${what}: no error`);
};

const idx = suite("data/idx");

idx("parses images (count, rows, cols) and labels, as views on the bytes", () => {
  const bytes = idxBytes([3, 2, 4]);
  const im = parseImages(bytes, "x.idx3");
  assert.equal([im.count, im.rows, im.cols], [3, 2, 4]);
  assert.equal(
    Array.from(im.images),
    Array.from({ length: 24 }, (_, i) => i),
  );
  assert.is(im.images.buffer, bytes.buffer, "no copy");
  const lb = parseLabels(idxBytes([5], [5, 0, 4, 1, 9]), "y.idx1");
  assert.is(lb.count, 5);
  assert.equal(Array.from(lb.labels), [5, 0, 4, 1, 9]);
});

idx("dimensions are big-endian u32", () => {
  const im = parseImages(idxBytes([1, 300, 2]));
  assert.equal([im.count, im.rows, im.cols], [1, 300, 2]);
});

idx("wrong magic: not IDX, labels given as images, another element type, gzip", () => {
  const bad = idxBytes([2, 2, 2]);
  bad[0] = 0x50;
  bad[1] = 0x4b;
  throwsIdx(
    () => parseImages(bad, "f.bin"),
    /^f\.bin: not an IDX file: wrong magic number 50 4b 08 03 \(expected 00 00 08 03 for images/,
    "zip magic",
  );
  throwsIdx(
    () => parseImages(idxBytes([4]), "lab"),
    /^lab: wrong magic number 00 00 08 01: holds labels \(idx1\), expected images \(idx3\)/,
    "labels as images",
  );
  throwsIdx(
    () => parseLabels(idxBytes([1, 2, 2]), "img"),
    /holds images \(idx3\), expected labels \(idx1\)/,
    "images as labels",
  );
  throwsIdx(
    () => parseImages(idxBytes([1, 2, 2], [0, 0, 0, 0], 0x0d), "fl"),
    /element type is float32, expected unsigned byte/,
    "float IDX",
  );
  throwsIdx(() => parseImages(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), "g"), /^g: is gzip-compressed/, "gzip");
});

idx("truncated header and truncated data name what is missing", () => {
  throwsIdx(
    () => parseImages(new Uint8Array([0, 0]), "t"),
    /^t: truncated: 2 bytes, too short for an IDX header/,
    "2 bytes",
  );
  throwsIdx(
    () => parseImages(idxBytes([2, 3, 3]).subarray(0, 10), "t"),
    /^t: truncated: the images \(idx3\) header needs 16 bytes, the file has 10/,
    "header",
  );
  const full = idxBytes([3, 4, 4]);
  throwsIdx(
    () => parseImages(full.subarray(0, full.length - 20), "t"),
    /^t: truncated: dimensions 3 x 4 x 4 need 48 data bytes after the 16-byte header, the file has 28 \(1 of 3 items complete\)/,
    "data",
  );
});

idx("extra bytes after the data are an error", () => {
  const b = new Uint8Array(idxBytes([2]).length + 3);
  b.set(idxBytes([2]));
  throwsIdx(() => parseLabels(b, "e"), /^e: 3 unexpected bytes after the data/, "extra");
});

idx("label count must equal image count", () => {
  const im = parseImages(idxBytes([3, 2, 2]));
  const lb = parseLabels(idxBytes([4]));
  throwsIdx(
    () => pairImagesLabels(im, lb, "a-images", "a-labels"),
    /label count 4 in a-labels differs from image count 3 in a-images/,
    "mismatch",
  );
  const ok = pairImagesLabels(im, parseLabels(idxBytes([3])));
  assert.equal([ok.count, ok.rows, ok.cols, ok.labels.length], [3, 2, 2, 3]);
});

idx("parseIdx handles zero items", () => {
  const a = parseIdx(idxBytes([0, 28, 28]), 3);
  assert.equal(a.dims, [0, 28, 28]);
  assert.is(a.data.length, 0);
});

idx.run();
