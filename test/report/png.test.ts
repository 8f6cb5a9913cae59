import { suite } from "uvu";
import * as assert from "uvu/assert";
import { PNG } from "pngjs";
import {
  blendPixel,
  blitColormap,
  blitGrey,
  createCanvas,
  drawText,
  drawTextVertical,
  encodePng,
  fillRect,
  getPixel,
  textWidth,
} from "../../src/report/png.js";
import { FONT_CELL_HEIGHT, fontCharacters, glyph, hasGlyph, MISSING_GLYPH } from "../../src/report/font.js";
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
  drawText(c, "Ab1", 1, 1);
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

png("every glyph is well formed; missing characters draw the box glyph", () => {
  const chars = fontCharacters();
  for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,:-+%()/|±×")
    assert.ok(hasGlyph(ch), `glyph for ${ch}`);
  for (const ch of chars) {
    const g = glyph(ch);
    assert.ok(g.width >= 1 && g.width <= 5, `${ch} width ${g.width}`);
    assert.is(g.bits.length, g.width * FONT_CELL_HEIGHT);
  }
  assert.is(glyph("\u263a"), MISSING_GLYPH);
  for (const d of "0123456789") assert.is(glyph(d).width, 5, `digit ${d} is tabular`);
});

png("drawText inks only inside its box, with the advertised width", () => {
  const c = createCanvas(60, 20);
  const w = drawText(c, "Hi 7", 5, 3, { scale: 2, color: [0, 0, 0] });
  assert.is(w, textWidth("Hi 7", 2));
  assert.is(w, (5 + 1 + 3 + 5 + 3 * 1) * 2); // H i space 7, three 1-pixel gaps
  let ink = 0;
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 60; x++) {
      const dark = getPixel(c, x, y)[0] === 0;
      if (dark) {
        ink++;
        assert.ok(x >= 5 && x < 5 + w && y >= 3 && y < 3 + 7 * 2, `ink at ${x},${y}`);
      }
    }
  }
  assert.ok(ink > 40, `drew ${ink} pixels`);
  // H's left stem: column 0, rows 0-6, at scale 2
  assert.equal(getPixel(c, 5, 3), [0, 0, 0]);
  assert.equal(getPixel(c, 6, 16), [0, 0, 0]);
  assert.equal(getPixel(c, 7, 3), [255, 255, 255]);
});

png("drawText aligns on the centre and the right", () => {
  const c = createCanvas(40, 10);
  const w = textWidth("I", 1);
  drawText(c, "I", 20, 0, { align: "center" });
  const left = Math.round(20 - w / 2);
  assert.equal(getPixel(c, left, 0), [0, 0, 0]);
  assert.equal(getPixel(c, left - 1, 0), [255, 255, 255]);
  assert.equal(getPixel(c, left + w - 1, 0), [0, 0, 0]);
  const d = createCanvas(40, 10);
  drawText(d, "L", 30, 0, { align: "right" });
  assert.equal(getPixel(d, 30 - textWidth("L"), 0), [0, 0, 0]);
  assert.equal(getPixel(d, 29, 6), [0, 0, 0], "L's foot ends at the right edge");
  assert.equal(getPixel(d, 30, 6), [255, 255, 255]);
});

png("drawTextVertical turns text counter-clockwise (reads bottom to top)", () => {
  const c = createCanvas(12, 12);
  const h = drawTextVertical(c, "L", 1, 1);
  assert.is(h, 4);
  // L's stem (glyph column 0) runs along the bottom row of the turned box; its foot (row 6) along the right.
  for (let r = 0; r < 7; r++) assert.equal(getPixel(c, 1 + r, 1 + h - 1), [0, 0, 0], `stem ${r}`);
  for (let col = 0; col < 4; col++) assert.equal(getPixel(c, 1 + 6, 1 + h - 1 - col), [0, 0, 0], `foot ${col}`);
  assert.equal(getPixel(c, 1, 1), [255, 255, 255]);
});

png("canvas sizes are checked", () => {
  assert.throws(() => createCanvas(0, 4), /canvas width must be an integer in 1..16384, got 0/);
  assert.throws(() => createCanvas(3, 2.5), /canvas height/);
  assert.throws(() => getPixel(createCanvas(2, 2), 2, 0), /outside the 2×2 canvas/);
});

png.run();
