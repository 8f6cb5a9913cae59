import { suite } from "uvu";
import * as assert from "uvu/assert";
import { PNG } from "pngjs";
import {
  captumThreshold,
  figure1Layout,
  figure1Svg,
  figure4Layout,
  figure4PanelSvg,
  figure4Svg,
  normaliseBy,
  normaliseSigned,
  sharedMax,
  shortExp,
  type Figure4Input,
} from "../../src/report/figures.js";
import { svgToPng } from "../../src/node/rasterize.js";
import { BAD_COLOR, RDBU_LUT, rdbu, viridis } from "../../src/colormap.js";
import { SET_ORDER } from "../../src/report/types.js";
import { checkWellFormed } from "./xml.js";

/** Every <image> of an SVG: where it is, how big, and its decoded pixels (RGB at x, y of the source image). */
type Tile = { x: number; y: number; size: number; title: string; w: number; at(x: number, y: number): number[] };
function tiles(svg: string): Tile[] {
  const re =
    /<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="[\d.]+" image-rendering="optimizeSpeed" preserveAspectRatio="none" href="data:image\/png;base64,([^"]+)">(?:<title>([^<]*)<\/title>)?/g;
  return [...svg.matchAll(re)].map((m) => {
    const p = PNG.sync.read(Buffer.from(m[4], "base64"));
    return {
      x: +m[1],
      y: +m[2],
      size: +m[3],
      title: m[5] ?? "",
      w: p.width,
      at: (x, y) => Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 3)),
    };
  });
}
const texts = (svg: string) => [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
const filled = (v: number, n = 784) => new Float32Array(n).fill(v);
const luminance = (c: readonly number[]) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];

// ---------------------------------------------------------------------------------------------
const f1 = suite("report/figures: Figure 1 (SVG)");

f1("one column per configured set, each image embedded pixel for pixel where the layout says", () => {
  const rows = [0, 1, 2].map((r) => {
    const original = filled(0);
    original[0] = 1; // top-left pixel white
    return { label: r, original, augmented: { blur: filled(0.5), crop: filled(1) } as Record<string, Float32Array> };
  });
  const svg = figure1Svg(rows, { columns: ["orig", "blur"] });
  checkWellFormed(svg);
  const L = figure1Layout(3, 28, { columns: ["orig", "blur"] });
  assert.ok(svg.includes(`width="${L.width}" height="${L.height}"`));
  assert.equal(texts(svg), ["Orig", "Blur", "0", "1", "2"], "headers of the two columns, then the row labels");
  const t = tiles(svg);
  assert.is(t.length, 6, "two columns of three rows: crop, not configured, is not drawn");
  for (let r = 0; r < 3; r++) {
    const [o, b] = [t[r * 2], t[r * 2 + 1]];
    assert.equal([o.x, o.y, o.size, o.w], [L.colX[0], L.rowY[r], L.tile, 28], `row ${r}: the original at 1:1`);
    assert.equal([b.x, b.y], [L.colX[1], L.rowY[r]]);
    assert.equal(o.at(0, 0), [255, 255, 255]);
    assert.equal(o.at(1, 0), [0, 0, 0]);
    assert.equal(b.at(14, 14), [128, 128, 128], "0.5 is mid grey");
  }
  assert.is(L.tile, 84, "3 units per pixel by default");
});

f1("a set missing from a row is a framed n/a tile; a wrong size is an error naming row and set", () => {
  const row = { label: 3, original: filled(1), augmented: { scaling: filled(1) } as Record<string, Float32Array> };
  const svg = figure1Svg([row], { columns: ["orig", "scaling", "crop"] });
  assert.is(tiles(svg).length, 2);
  assert.ok(texts(svg).includes("n/a"));
  assert.throws(
    () =>
      figure1Svg([{ label: 3, original: filled(1), augmented: { crop: filled(1, 100) } }], {
        columns: ["orig", "crop"],
      }),
    /row 0 \(label 3\) column crop: 100 values, expected 784/,
  );
  assert.throws(() => figure1Svg([]), /no rows/);
  const raw = tiles(
    figure1Svg([{ label: 1, original: filled(255), augmented: {} }], { columns: ["orig"], imageRange: [0, 255] }),
  );
  assert.equal(raw[0].at(5, 5), [255, 255, 255], "imageRange [0, 255] for raw bytes");
  assert.ok(figure1Svg([row]).includes(">Distortion<"), "every set of SET_ORDER by default");
});

// ---------------------------------------------------------------------------------------------
const f4 = suite("report/figures: Figure 4 (SVG)");

function input(abs: Float32Array[], extra: Partial<Figure4Input> = {}): Figure4Input {
  return {
    queries: [{ image: filled(0), label: 7 }],
    sets: abs.map((_, i) => SET_ORDER[i]),
    methods: [{ id: "vanilla", label: "Gradient", abs: [abs] }],
    ...extra,
  };
}
/** The map tiles (not the query image) of a panel. */
const maps = (svg: string) => tiles(svg).filter((t) => !t.title.startsWith("query"));

f4("shared scale: a map half as strong is darker, viridis(0.5) where the other is at viridis(1)", () => {
  const a = filled(0);
  a[100] = 2; // row 3, column 16
  const b = Float32Array.from(a, (v) => v / 2);
  const svg = figure4PanelSvg(input([a, b]), "vanilla", "shared");
  checkWellFormed(svg);
  const [ta, tb] = maps(svg);
  assert.equal(ta.at(16, 3), [...viridis(1)]);
  assert.equal(tb.at(16, 3), [...viridis(0.5)]);
  assert.ok(luminance(tb.at(16, 3)) < luminance(ta.at(16, 3)) - 40);
  assert.equal(ta.at(0, 0), [...viridis(0)], "zero is the low end");
  const L = figure4Layout(1, 2, 28, "shared");
  assert.equal([ta.x, ta.y, tb.x], [L.colX[0], L.absY[0], L.colX[1]]);
  assert.ok(texts(svg).includes("2.0e0"), "the row max is printed");
});

f4("per-map scale: each map uses the full range, clipped at Captum's 2% mass threshold", () => {
  const a = filled(0);
  a[100] = 2;
  const b = Float32Array.from(a, (v) => v / 2);
  const [ta, tb] = maps(figure4PanelSvg(input([a, b]), "vanilla", "per-map"));
  assert.equal(ta.at(16, 3), [...viridis(1)]);
  assert.equal(tb.at(16, 3), [...viridis(1)]);
  // 780 pixels at 1 and 4 at 2: the 4 bright pixels hold 8/788 ≈ 1% of the mass, so the threshold is 1.
  const m = filled(1);
  for (const i of [0, 1, 2, 3]) m[i] = 2;
  const [pm] = maps(figure4PanelSvg(input([m]), "vanilla", "per-map"));
  assert.equal(pm.at(10, 10), [...viridis(1)], "value 1 saturates");
  const [sh] = maps(figure4PanelSvg(input([m]), "vanilla", "shared"));
  assert.equal(sh.at(10, 10), [...viridis(0.5)], "on the shared scale value 1 is half the max");
  assert.is(figure4Layout(1, 1, 28, "per-map").maxX, -1, "no row-max column per map");
});

f4("signed maps: RdBu_r, blue below 0, the middle at 0, red above, symmetric", () => {
  const s = filled(0);
  s[0] = -2;
  s[1] = 2;
  s[2] = 1;
  const svg = figure4PanelSvg(
    input([Float32Array.from(s, Math.abs)], {
      methods: [{ id: "vanilla", label: "Gradient", abs: [[Float32Array.from(s, Math.abs)]], signed: [[s]] }],
    }),
    "vanilla",
    "shared",
  );
  const t = maps(svg);
  assert.is(t.length, 2, "|map| and signed map");
  const signed = t[1];
  assert.equal(signed.at(0, 0), [...rdbu(-1)]);
  assert.equal(signed.at(1, 0), [...rdbu(1)]);
  assert.equal(signed.at(2, 0), [...rdbu(0.5)]);
  assert.equal(signed.at(3, 0), [...rdbu(0)]);
  assert.equal(rdbu(-1), [0x05, 0x30, 0x61], "ColorBrewer RdBu's darkest blue");
  assert.equal(rdbu(1), [0x67, 0x00, 0x1f], "and darkest red");
  assert.ok(
    rdbu(0).every((c) => c > 240),
    "0 is near white",
  );
  assert.is(RDBU_LUT.length, 768);
  assert.equal(rdbu(NaN), BAD_COLOR);
  assert.ok(texts(svg).includes("signed"));
});

f4("each map is labelled with the model's prediction and confidence; a wrong one is marked", () => {
  const svg = figure4PanelSvg(
    input([filled(1), filled(1)], {
      predictions: [
        [
          { predicted: 7, p: 0.934 },
          { predicted: 3, p: 0.41 },
        ],
      ],
    }),
    "vanilla",
    "shared",
  );
  const t = texts(svg);
  assert.ok(t.includes("7 (0.93)"), t.join("|"));
  assert.ok(t.includes("\u2717 3 (0.41)"));
  assert.match(svg, /class="wrong"[^>]*>\u2717 3/);
});

f4("one panel per method: figure4PanelSvg draws one, figure4Svg stacks the panel documents", () => {
  const a = [filled(1)];
  const two: Figure4Input = {
    ...input(a),
    methods: [
      { id: "vanilla", label: "Gradient", abs: [a] },
      { id: "ig", label: "Integrated gradients", abs: [a] },
    ],
  };
  const panels = ["vanilla", "ig"].map((m) => figure4PanelSvg(two, m, "shared", `p${m}`));
  const all = figure4Svg(panels, "shared");
  checkWellFormed(all);
  assert.is((all.match(/<text [^>]*class="title"/g) ?? []).length, 2);
  assert.ok(all.includes("Integrated gradients \u2014 one scale per query"));
  const L = figure4Layout(1, 1, 28, "shared");
  assert.ok(all.includes(`<svg x="0" y="${L.panelHeight}"`), "the second panel below the first");
  assert.ok(all.includes(`height="${2 * L.panelHeight}" viewBox="0 0 ${L.width} ${2 * L.panelHeight}"`));
  const one = figure4PanelSvg(two, "ig", "per-map");
  assert.is((one.match(/class="title"/g) ?? []).length, 1);
  assert.ok(one.includes("Integrated gradients \u2014 each map on its own scale (Captum, top 2% clipped)"));
  assert.throws(() => figure4PanelSvg(two, "smoothgrad", "shared"), /no method smoothgrad/);
  assert.throws(() => figure4Svg([], "shared"), /no panels/);
});

f4("bad input is rejected with a message naming what is wrong", () => {
  const q = [{ image: filled(0), label: 1 }];
  const m = (abs: Float32Array[][]) => [{ id: "vanilla", label: "G", abs }];
  assert.throws(
    () => figure4PanelSvg({ queries: q, sets: ["orig"], methods: m([[filled(0, 10)]]) }, "vanilla", "shared"),
    /map \[0\]\[0\] has 10 values, expected 784/,
  );
  assert.throws(
    () => figure4PanelSvg({ queries: q, sets: ["orig", "blur"], methods: m([[filled(0)]]) }, "vanilla", "shared"),
    /query 0 has 1 maps for 2 sets/,
  );
  assert.throws(
    () => figure4PanelSvg({ queries: q, sets: ["orig"], methods: m([]) }, "vanilla", "shared"),
    /maps for 0 queries/,
  );
  assert.throws(() => figure4PanelSvg({ queries: q, sets: ["orig"], methods: [] }, "vanilla", "shared"), /no methods/);
  assert.throws(
    () =>
      figure4PanelSvg(
        { queries: [{ image: filled(0, 10), label: 1 }], sets: ["orig"], methods: m([[filled(0, 10)]]) },
        "vanilla",
        "shared",
      ),
    /10 values is not a square image/,
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

f4("normaliseBy, normaliseSigned and sharedMax: clamp, zero scale gives zeros, NaN stays NaN", () => {
  assert.equal(Array.from(normaliseBy([0, 1, 2, -4], 2)), [0, 0.5, 1, 1]);
  assert.equal(Array.from(normaliseBy([3, 1], 0)), [0, 0]);
  assert.ok(Number.isNaN(normaliseBy([NaN], 1)[0]));
  assert.equal(Array.from(normaliseSigned([0, 1, -2, -4, 4], 2)), [0, 0.5, -1, -1, 1]);
  assert.equal(Array.from(normaliseSigned([3], Infinity)), [0]);
  assert.is(
    sharedMax([
      [1, -5],
      [2, Infinity, NaN],
    ]),
    5,
  );
});

f4("row max is printed in short scientific notation", () => {
  assert.is(shortExp(0.0234), "2.3e-2");
  assert.is(shortExp(0), "0");
  assert.is(shortExp(NaN), "\u2013");
  assert.is(shortExp(12345), "1.2e4");
});

// ---------------------------------------------------------------------------------------------
const png = suite("report/figures: PNG exports (resvg-wasm, DejaVu Sans)");

png("the PNG is the SVG at twice its size, text inked, maps nearest-neighbour, same bytes every time", async () => {
  const a = filled(0);
  a[0] = 1;
  const svg = figure4PanelSvg(input([a]), "vanilla", "shared");
  const bytes = await svgToPng(svg);
  const again = await svgToPng(svg);
  assert.ok(Buffer.compare(Buffer.from(bytes), Buffer.from(again)) === 0, "deterministic");
  const p = PNG.sync.read(Buffer.from(bytes));
  const L = figure4Layout(1, 1, 28, "shared");
  assert.is(p.width, L.width * 2);
  assert.is(p.height, L.panelHeight * 2);
  const at = (x: number, y: number) => Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 3));
  // Source pixel (0, 0) covers 6×6 device pixels at zoom 2; its neighbour (1, 0) starts right after.
  const x0 = L.colX[0] * 2;
  const y0 = L.absY[0] * 2;
  assert.equal(at(x0 + 1, y0 + 1), [...viridis(1)]);
  assert.equal(at(x0 + 4, y0 + 4), [...viridis(1)]);
  assert.equal(at(x0 + 7, y0 + 1), [...viridis(0)], "no smoothing between pixels");
  // The column header "Orig" is drawn in the shipped font: dark pixels above the tile.
  let ink = 0;
  for (let y = 0; y < y0; y++) for (let x = x0; x < x0 + L.tile * 2; x++) if (at(x, y)[0] < 100) ink++;
  assert.ok(ink > 40, `header text: ${ink} ink pixels`);
});

f1.run();
f4.run();
png.run();
