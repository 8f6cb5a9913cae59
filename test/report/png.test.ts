import { suite } from "uvu";
import * as assert from "uvu/assert";
import { PNG } from "pngjs";
import {
  blendPixel,
  blitColormap,
  blitGrey,
  createCanvas,
  encodePng,
  fillRect,
  getPixel,
} from "../../src/report/png.js";
import { viridis } from "../../src/colormap.js";

const png = suite("report/png");

png("encodePng decodes (pngjs) to the same size and pixels", () => {
  const c = createCanvas(7, 5, [10, 20, 30]);
  fillRect(c, 2, 1, 3, 2, [200, 100, 50]);
  const img = PNG.sync.read(encodePng(c));
  assert.is(img.width, 7);
  assert.is(img.height, 5);
  const px = (x: number, y: number) => Array.from(img.data.subarray((y * 7 + x) * 4, (y * 7 + x) * 4 + 4));
  assert.equal(px(0, 0), [10, 20, 30, 255]);
  assert.equal(px(2, 1), [200, 100, 50, 255]);
  assert.equal(px(4, 2), [200, 100, 50, 255]);
  assert.equal(px(5, 2), [10, 20, 30, 255]);
});

png("encodePng is deterministic", () => {
  const c = createCanvas(16, 9);
  blitColormap(
    c,
    Float32Array.from({ length: 16 }, (_, i) => i / 15),
    4,
    4,
    1,
    1,
    { scale: 2 },
  );
  assert.ok(Buffer.compare(encodePng(c), encodePng(c)) === 0);
});

png("blitGrey upscales nearest-neighbour: each source pixel becomes a scale×scale block", () => {
  const c = createCanvas(8, 8, [255, 0, 0]);
  blitGrey(c, [0, 1, 0.5, 1], 2, 2, 1, 2, { scale: 3 });
  assert.equal(getPixel(c, 1, 2), [0, 0, 0]);
  assert.equal(getPixel(c, 3, 4), [0, 0, 0]);
  assert.equal(getPixel(c, 4, 2), [255, 255, 255]);
  assert.equal(getPixel(c, 6, 4), [255, 255, 255]);
  assert.equal(getPixel(c, 1, 5), [128, 128, 128]);
  assert.equal(getPixel(c, 6, 7), [255, 255, 255]);
  assert.equal(getPixel(c, 0, 0), [255, 0, 0], "outside the blit untouched");
  assert.equal(getPixel(c, 7, 7), [255, 0, 0]);
});

png("blitGrey clamps to [lo, hi], shows NaN as mid grey and rejects a wrong length", () => {
  const c = createCanvas(3, 1);
  blitGrey(c, [-5, 9, NaN], 3, 1, 0, 0);
  assert.equal(getPixel(c, 0, 0), [0, 0, 0]);
  assert.equal(getPixel(c, 1, 0), [255, 255, 255]);
  assert.equal(getPixel(c, 2, 0), [128, 128, 128]);
  assert.throws(() => blitGrey(c, [1, 2], 3, 1, 0, 0), /expected 3×1 = 3 values, got 2/);
});

png("blitColormap maps through viridis and alpha-blends over what is there", () => {
  const c = createCanvas(2, 1, [0, 0, 0]);
  blitColormap(c, [1, 0], 2, 1, 0, 0);
  assert.equal(getPixel(c, 0, 0), [...viridis(1)]);
  assert.equal(getPixel(c, 1, 0), [...viridis(0)]);
  const d = createCanvas(1, 1, [200, 200, 200]);
  blitColormap(d, [1], 1, 1, 0, 0, { alpha: 0.5 });
  const v = viridis(1);
  assert.equal(
    getPixel(d, 0, 0),
    v.map((x) => Math.round(0.5 * 200 + 0.5 * x)),
  );
  assert.throws(() => blitColormap(d, [1], 1, 1, 0, 0, { alpha: 2 }), /alpha must be in \[0, 1\]/);
});

png("blendPixel computes (1 - a) under + a color and ignores pixels off the canvas", () => {
  const c = createCanvas(1, 1, [100, 0, 255]);
  blendPixel(c, 0, 0, [200, 100, 55], 0.25);
  assert.equal(getPixel(c, 0, 0), [125, 25, 205]);
  blendPixel(c, 5, 5, [0, 0, 0], 1);
});

png("canvas sizes are checked", () => {
  assert.throws(() => createCanvas(0, 4), /canvas width must be an integer in 1..16384, got 0/);
  assert.throws(() => createCanvas(3, 2.5), /canvas height/);
  assert.throws(() => getPixel(createCanvas(2, 2), 2, 0), /outside the 2×2 canvas/);
});

png.run();
