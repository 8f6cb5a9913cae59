import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BRUSH, fitLikeMnist, heatRGBA, overlayRGBA, strokeSegment, VIRIDIS } from "../../src/web/paint.js";

const pt = suite("web/paint");

pt("a horizontal stroke is about two pixels of full ink with soft edges, symmetric about its line", () => {
  const img = new Float32Array(28 * 28);
  assert.ok(strokeSegment(img, 28, 28, 6, 14, 22, 14));
  const col = Array.from({ length: 28 }, (_, y) => img[y * 28 + 14]);
  assert.is(col[13], 1);
  assert.is(col[14], 1);
  assert.is(col[13 - 1], col[14 + 1], "symmetric");
  assert.ok(col[12] > 0 && col[12] < 1, `soft edge ${col[12]}`);
  assert.is(col[10], 0);
  const inked = col.reduce((a, v) => a + v, 0);
  assert.ok(inked > 2 && inked < 3.5, `ink across the stroke ${inked}`);
  assert.ok(img.every((v) => v >= 0 && v <= 1));
  assert.not.ok(
    strokeSegment(img, 28, 28, 6, 14, 22, 14),
    "drawing the same stroke again changes nothing (max, not sum)",
  );
});

pt("a dot, a stroke leaving the image and a zero-length segment are fine", () => {
  const img = new Float32Array(28 * 28);
  strokeSegment(img, 28, 28, 0.2, 0.2, -5, -5);
  strokeSegment(img, 28, 28, 27.9, 27.9, 40, 27.9);
  strokeSegment(img, 28, 28, 14, 14, 14, 14);
  assert.ok(img[0] > 0 && img[27 * 28 + 27] > 0 && img[13 * 28 + 13] > 0);
  assert.ok(BRUSH.edge > BRUSH.core);
});

pt("fitLikeMnist scales the ink to a 20-pixel box and centres its mass", () => {
  const img = new Float32Array(28 * 28);
  strokeSegment(img, 28, 28, 2, 3, 8, 3);
  strokeSegment(img, 28, 28, 8, 3, 8, 9);
  const out = fitLikeMnist(img);
  let m = 0,
    mx = 0,
    my = 0,
    x0 = 28,
    x1 = -1,
    y0 = 28,
    y1 = -1;
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const v = out[y * 28 + x];
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
      if (v > 0.05) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  assert.ok(Math.abs(mx / m - 14) < 0.6 && Math.abs(my / m - 14) < 0.6, `centre of mass ${mx / m}, ${my / m}`);
  const side = Math.max(x1 - x0 + 1, y1 - y0 + 1);
  assert.ok(side >= 19 && side <= 22, `ink box side ${side}`);
  assert.ok(out.every((v) => v >= 0 && v <= 1));
  assert.ok(fitLikeMnist(new Float32Array(784)).every((v) => v === 0));
});

pt("viridis (the report's table) runs from #440154 to #fde725 with luminance rising all the way", () => {
  assert.equal(Array.from(VIRIDIS.subarray(0, 3)), [0x44, 0x01, 0x54]);
  assert.equal(Array.from(VIRIDIS.subarray(255 * 3)), [0xfd, 0xe7, 0x25]);
  // Relative luminance of the sRGB bytes; byte rounding allows a one-step dip (at 95 and 146), so
  // compare entries four apart.
  const lin = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  const Y = (i: number) =>
    0.2126 * lin(VIRIDIS[i * 3]) + 0.7152 * lin(VIRIDIS[i * 3 + 1]) + 0.0722 * lin(VIRIDIS[i * 3 + 2]);
  for (let i = 4; i < 256; i++) assert.ok(Y(i) > Y(i - 4), `luminance falls from ${i - 4} to ${i}`);
});

pt("heat maps use one scale: 0 is the first colour, vmax the last, a zero scale is all dark, NaN is grey", () => {
  const out = new Uint8ClampedArray(3 * 4);
  heatRGBA(Float32Array.from([NaN, 1, 0]), 2, out);
  assert.equal(Array.from(out.subarray(0, 4)), [128, 128, 128, 255]);
  assert.equal(
    Array.from(out.subarray(4, 8)),
    [0x21, 0x91, 0x8c, 255],
    "the middle of the scale is viridis(0.5) = #21918c",
  );
  heatRGBA(Float32Array.from([0, 0.5, 2]), 2, out);
  assert.equal(Array.from(out.subarray(0, 4)), [0x44, 0x01, 0x54, 255]);
  assert.equal(Array.from(out.subarray(8, 12)), [0xfd, 0xe7, 0x25, 255]);
  heatRGBA(Float32Array.from([0, 0, 0]), 0, out);
  assert.equal(Array.from(out.subarray(8, 12)), [0x44, 0x01, 0x54, 255]);
  overlayRGBA(Float32Array.from([0, 2, 0]), Float32Array.from([0, 0, 1]), 2, out);
  assert.equal(Array.from(out.subarray(4, 8)), [0xfd, 0xe7, 0x25, 255], "full saliency shows the full colour");
  assert.ok(out[8] > out[0], "no saliency shows the input: ink is lighter than background");
});

pt.run();
