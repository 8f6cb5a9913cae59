import { suite } from "uvu";
import * as assert from "uvu/assert";
import { PNG } from "pngjs";
import {
  captumThreshold,
  figure1Layout,
  figure4Layout,
  normaliseBy,
  renderFigure1,
  renderFigure4,
  sharedMax,
  shortExp,
  type Figure4Input,
} from "../../src/report/figures.js";
import { BAD_COLOR, viridis } from "../../src/colormap.js";
import { SET_ORDER } from "../../src/report/types.js";

type Img = { width: number; height: number; at(x: number, y: number): number[] };
function decode(buf: Buffer): Img {
  const p = PNG.sync.read(buf);
  return {
    width: p.width,
    height: p.height,
    at: (x, y) => Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 3)),
  };
}
const luminance = (c: number[]) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
const filled = (v: number, n = 784) => new Float32Array(n).fill(v);

// ---------------------------------------------------------------------------------------------
const f1 = suite("report/figures: Figure 1");

f1("decodes to the layout's size with every image where the layout says, upscaled ×4", () => {
  const rows = [0, 1, 2, 3, 4].map((r) => {
    const original = filled(0);
    original[0] = 1; // top-left pixel white
    const augmented: Record<string, Float32Array> = {};
    for (const s of SET_ORDER.slice(1)) augmented[s] = filled(s === "blur" ? 1 : 0.5);
    return { label: r, original, augmented };
  });
  const L = figure1Layout(5, 28);
  const img = decode(renderFigure1(rows));
  assert.is(img.width, L.width);
  assert.is(img.height, L.height);
  assert.is(L.tile, 112);
  for (let r = 0; r < 5; r++) {
    const y = L.rowY[r];
    assert.equal(img.at(L.colX[0], y), [255, 255, 255], `row ${r} original top-left`);
    assert.equal(img.at(L.colX[0] + 3, y + 3), [255, 255, 255], "the 4×4 block of pixel (0, 0)");
    assert.equal(img.at(L.colX[0] + 4, y), [0, 0, 0], "pixel (1, 0) is black");
    assert.equal(img.at(L.colX[1] + 50, y + 50), [128, 128, 128], "scaling column");
    assert.equal(img.at(L.colX[5] + 111, y + 111), [255, 255, 255], "blur column, last pixel");
  }
  // column headers drawn in pixels above each column
  for (let k = 0; k < 6; k++) {
    let ink = 0;
    for (let y = 0; y < L.rowY[0]; y++)
      for (let x = L.colX[k]; x < L.colX[k] + L.tile; x++) if (img.at(x, y)[0] < 128) ink++;
    assert.ok(ink > 20, `header of column ${k}: ${ink} ink pixels`);
  }
});

f1("a set missing from a row is an empty framed tile, a wrong size an error naming row and set", () => {
  const row = { label: 3, original: filled(1), augmented: { scaling: filled(1) } as Record<string, Float32Array> };
  const L = figure1Layout(1, 28, { columns: ["orig", "scaling", "crop"] });
  const img = decode(renderFigure1([row], { columns: ["orig", "scaling", "crop"] }));
  assert.equal(img.at(L.colX[2] + 10, L.rowY[0] + 10), [255, 255, 255]);
  assert.ok(img.at(L.colX[2], L.rowY[0])[0] < 255, "frame");
  assert.throws(
    () =>
      renderFigure1([{ label: 3, original: filled(1), augmented: { crop: filled(1, 100) } }], {
        columns: ["orig", "crop"],
      }),
    /row 0 \(label 3\) column crop: 100 values, expected 784/,
  );
  assert.throws(() => renderFigure1([]), /no rows/);
  const bytes = decode(
    renderFigure1([{ label: 1, original: filled(255), augmented: {} }], { columns: ["orig"], imageRange: [0, 255] }),
  );
  const Lb = figure1Layout(1, 28, { columns: ["orig"] });
  assert.equal(bytes.at(Lb.colX[0] + 5, Lb.rowY[0] + 5), [255, 255, 255], "imageRange [0, 255] for raw bytes");
});

// ---------------------------------------------------------------------------------------------
const f4 = suite("report/figures: Figure 4");

function input(maps: Float32Array[], extra: Partial<Figure4Input> = {}): Figure4Input {
  return { queries: [{ image: filled(0), label: 7 }], sets: maps.map((_, i) => SET_ORDER[i]), maps: [maps], ...extra };
}

f4(
  "shared scale (default): a map half as strong renders darker, at viridis(0.5) where the other is at viridis(1)",
  () => {
    const a = filled(0);
    a[100] = 2; // row 3, column 16
    const b = Float32Array.from(a, (v) => v / 2);
    const L = figure4Layout(1, 2, 28);
    const img = decode(renderFigure4(input([a, b])));
    const px = (s: number) => img.at(L.colX[s] + 16 * 4 + 1, L.rowY[0] + 3 * 4 + 1);
    assert.equal(px(0), [...viridis(1)]);
    assert.equal(px(1), [...viridis(0.5)]);
    assert.ok(luminance(px(1)) < luminance(px(0)) - 40, "the weaker map is visibly darker");
    assert.equal(img.at(L.colX[1] + 1, L.rowY[0] + 1), [...viridis(0)], "zero is the low end");
  },
);

f4("per-map scale: each map uses the full range, so strength no longer shows", () => {
  const a = filled(0);
  a[100] = 2;
  const b = Float32Array.from(a, (v) => v / 2);
  const L = figure4Layout(1, 2, 28, "per-map");
  const img = decode(renderFigure4(input([a, b], { scale: "per-map" })));
  const px = (s: number) => img.at(L.colX[s] + 16 * 4, L.rowY[0] + 3 * 4);
  assert.equal(px(0), [...viridis(1)]);
  assert.equal(px(1), [...viridis(1)]);
  assert.is(L.maxX, -1, "no row-max column");
});

f4("per-map clips the top 2% of attribution mass as Captum does", () => {
  // 780 pixels at 1 and 4 at 2: the 4 bright pixels hold 8/788 ≈ 1% of the mass, so the threshold is 1.
  const m = filled(1);
  for (const i of [0, 1, 2, 3]) m[i] = 2;
  assert.is(captumThreshold(m, 2), 1);
  const L = figure4Layout(1, 1, 28, "per-map");
  const img = decode(renderFigure4(input([m], { scale: "per-map" })));
  assert.equal(img.at(L.colX[0] + 50, L.rowY[0] + 50), [...viridis(1)], "value 1 saturates");
  assert.equal(img.at(L.colX[0], L.rowY[0]), [...viridis(1)], "value 2 is clipped to the top");
  const shared = decode(renderFigure4(input([m])));
  const Ls = figure4Layout(1, 1, 28);
  assert.equal(
    shared.at(Ls.colX[0] + 50, Ls.rowY[0] + 50),
    [...viridis(0.5)],
    "on the shared scale value 1 is half the max",
  );
});

f4("captumThreshold follows the cumulative-mass rule on hand-worked cases", () => {
  assert.is(captumThreshold([1, 2, 3, 4, 90]), 90); // cumsum 1 3 6 10 100: 98 reached only at 90
  assert.is(captumThreshold([90, 4, 3, 2, 1], 95), 3); // 5% of 100 reached at cumsum 6
  assert.is(captumThreshold([-4, 4], 50), 4, "absolute values");
  assert.is(captumThreshold(new Float32Array(10)), 0, "all-zero map");
  assert.is(captumThreshold([NaN, 1, 1]), 1, "NaN counts as 0");
  assert.throws(() => captumThreshold([1], 100), /outlierPerc must be in \[0, 100\)/);
});

f4("normaliseBy and sharedMax: clamp to [0, 1], zero scale gives zeros, NaN stays NaN", () => {
  assert.equal(Array.from(normaliseBy([0, 1, 2, -4], 2)), [0, 0.5, 1, 1]);
  assert.equal(Array.from(normaliseBy([3, 1], 0)), [0, 0]);
  assert.ok(Number.isNaN(normaliseBy([NaN], 1)[0]));
  assert.is(
    sharedMax([
      [1, -5],
      [2, Infinity, NaN],
    ]),
    5,
  );
});

f4("an all-zero row draws the low end, a NaN pixel the 'bad' grey", () => {
  const z = filled(0);
  const n = filled(0.5);
  n[0] = NaN;
  const L = figure4Layout(1, 2, 28);
  const img = decode(renderFigure4(input([z, n])));
  assert.equal(img.at(L.colX[0] + 5, L.rowY[0] + 5), [...viridis(0)]);
  assert.equal(img.at(L.colX[1], L.rowY[0]), [...BAD_COLOR]);
  assert.equal(img.at(L.colX[1] + 8, L.rowY[0]), [...viridis(1)]);
});

f4("overlay blends the heat colour at alpha over the half-bright query", () => {
  const q = filled(1);
  const m = filled(0);
  m[0] = 1;
  const L = figure4Layout(1, 1, 28);
  const img = decode(
    renderFigure4({ queries: [{ image: q, label: 1 }], sets: ["orig"], maps: [[m]], mode: "overlay" }),
  );
  const under = 128; // white drawn at half brightness: round(0.5 * 255)
  const expect = (c: readonly number[]) => c.map((v) => Math.round(0.4 * under + 0.6 * v));
  assert.equal(img.at(L.colX[0], L.rowY[0]), expect(viridis(1)));
  assert.equal(img.at(L.colX[0] + 20, L.rowY[0] + 20), expect(viridis(0)));
  assert.equal(img.at(L.queryX + 20, L.rowY[0] + 20), [255, 255, 255], "the query column is the plain image");
});

f4("the colour bar runs from viridis(1) at the top to viridis(0) at the bottom", () => {
  const L = figure4Layout(3, 6, 28);
  const maps = [0, 1, 2].map(() => SET_ORDER.map(() => filled(0.1)));
  const img = decode(
    renderFigure4({ queries: [0, 1, 2].map((l) => ({ image: filled(0), label: l })), sets: [...SET_ORDER], maps }),
  );
  assert.is(img.width, L.width);
  assert.is(img.height, L.height);
  assert.equal(img.at(L.bar.x + 4, L.bar.y), [...viridis(1)]);
  assert.equal(img.at(L.bar.x + 4, L.bar.y + L.bar.h - 1), [...viridis(0)]);
});

f4("bad input is rejected with a message naming what is wrong", () => {
  const q = [{ image: filled(0), label: 1 }];
  assert.throws(
    () => renderFigure4({ queries: q, sets: ["orig"], maps: [[filled(0, 10)]] }),
    /maps\[0\]\[0\] \(orig\) has 10 values, expected 784/,
  );
  assert.throws(
    () => renderFigure4({ queries: q, sets: ["orig", "blur"], maps: [[filled(0)]] }),
    /maps\[0\] has 1 maps for 2 sets/,
  );
  assert.throws(() => renderFigure4({ queries: q, sets: ["orig"], maps: [] }), /maps has 0 rows for 1 queries/);
  assert.throws(
    () => renderFigure4({ queries: [{ image: filled(0, 10), label: 1 }], sets: ["orig"], maps: [[filled(0, 10)]] }),
    /10 values is not a square image/,
  );
  assert.throws(
    () => renderFigure4({ queries: q, sets: ["orig"], maps: [[filled(0)]], mode: "x" as "heat" }),
    /mode must be "heat" or "overlay"/,
  );
});

f4("row max is printed in short scientific notation", () => {
  assert.is(shortExp(0.0234), "2.3e-2");
  assert.is(shortExp(0), "0");
  assert.is(shortExp(NaN), "\u2013");
  assert.is(shortExp(12345), "1.2e4");
});

f1.run();
f4.run();
