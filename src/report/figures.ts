// The image figures as SVG documents: Figure 1 (the same digits in every training set) and Figure 4
// (each model's saliency maps of the query images, one panel per attribution method). Text is real SVG
// text, so labels stay crisp at any size; every image (a digit, a heat map) is embedded as a PNG data:
// URI at its own resolution (28×28 for MNIST) and drawn nearest-neighbour, so a map's pixels are exactly
// the saved values' colours. The same SVG is inlined in report.html and written to figures/*.svg; the
// PNG exports are rendered from it (src/node/rasterize.ts, resvg). Pure functions: arrays in, strings out.
import { RDBU_LUT, VIRIDIS_LUT, captumThreshold, viridisStops, rgbHex, rdbu } from "../colormap.js";

export { captumThreshold };
import { blitColormap, blitGrey, createCanvas, encodePng } from "./png.js";
import { escapeXml } from "./format.js";
import { SET_ORDER, setLabel } from "./types.js";

const INK = "#1d1d1f";
const MUTED = "#5f6368";
const FRAME = "#c8cbd0";
const WRONG = "#b34700"; // a dark Okabe–Ito vermillion: a wrong prediction
/** The font the PNG export ships (dejavu-fonts-ttf); browsers fall back to their sans-serif. */
export const FIGURE_FONT = `'DejaVu Sans', Verdana, 'Segoe UI', system-ui, sans-serif`;
const FS = 13; // label size in user units (1 unit = 1 CSS px at natural size)
const FS_SMALL = 11.5;

/** Side of a square image stored as `n` row-major values; throws if n is not a square. */
export function squareSide(n: number, what: string): number {
  const side = Math.round(Math.sqrt(n));
  if (side < 1 || side * side !== n) throw new Error(`${what}: ${n} values is not a square image`);
  return side;
}

// ---------------------------------------------------------------------------------------------
// Normalisation of saliency maps for display

/** |v| / scale clamped to [0, 1]; scale <= 0 or non-finite gives zeros (nothing to show). NaN stays NaN. */
export function normaliseBy(values: ArrayLike<number>, scale: number): Float32Array {
  const out = new Float32Array(values.length);
  if (!(scale > 0 && Number.isFinite(scale))) return out;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = Number.isNaN(v) ? NaN : Math.min(1, Math.abs(v) / scale);
  }
  return out;
}

/** v / scale clamped to [-1, 1] (Captum's sign="all": the threshold is taken on |v|, the sign is kept). */
export function normaliseSigned(values: ArrayLike<number>, scale: number): Float32Array {
  const out = new Float32Array(values.length);
  if (!(scale > 0 && Number.isFinite(scale))) return out;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = Number.isNaN(v) ? NaN : Math.max(-1, Math.min(1, v / scale));
  }
  return out;
}

/** Largest finite |v| over several maps (0 if none). */
export function sharedMax(maps: readonly ArrayLike<number>[]): number {
  let m = 0;
  for (const map of maps) {
    for (let i = 0; i < map.length; i++) {
      const a = Math.abs(map[i]);
      if (a > m && Number.isFinite(a)) m = a;
    }
  }
  return m;
}

/** Scientific notation with 2 significant digits, as printed in the "row max" column: 3.2e-2. */
export function shortExp(v: number): string {
  if (!Number.isFinite(v)) return "\u2013";
  if (v === 0) return "0";
  return v.toExponential(1).replace("e+", "e");
}

// ---------------------------------------------------------------------------------------------
// Embedded images

function dataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64")}`;
}

/** A grey image (values on [lo, hi], white = hi) as PNG bytes at its own resolution. */
export function greyPng(values: ArrayLike<number>, side: number, lo = 0, hi = 1): Uint8Array {
  const c = createCanvas(side, side);
  blitGrey(c, values, side, side, 0, 0, { lo, hi });
  return encodePng(c);
}

/** Values in [0, 1] through viridis, or in [-1, 1] through RdBu_r, as PNG bytes (one pixel per value). */
export function mapPng(values: ArrayLike<number>, side: number, cmap: "viridis" | "rdbu"): Uint8Array {
  const c = createCanvas(side, side);
  if (cmap === "viridis") blitColormap(c, values, side, side, 0, 0, { lut: VIRIDIS_LUT });
  else
    blitColormap(
      c,
      Float32Array.from(values, (v) => (v + 1) / 2),
      side,
      side,
      0,
      0,
      { lut: RDBU_LUT },
    );
  return encodePng(c);
}

/** An <image> drawn nearest-neighbour: resvg reads the attribute, browsers the @supports rule. */
function image(png: Uint8Array, x: number, y: number, size: number, alt?: string): string {
  const title = alt ? `<title>${escapeXml(alt)}</title>` : "";
  return (
    `<image x="${x}" y="${y}" width="${size}" height="${size}" image-rendering="optimizeSpeed" ` +
    `preserveAspectRatio="none" href="${dataUri(png)}">${title}</image>`
  );
}

function text(s: string, x: number, y: number, opts: { anchor?: string; size?: number; cls?: string } = {}): string {
  const anchor = opts.anchor && opts.anchor !== "start" ? ` text-anchor="${opts.anchor}"` : "";
  const size = opts.size && opts.size !== FS ? ` font-size="${opts.size}"` : "";
  const fill = opts.cls === "muted" ? MUTED : opts.cls === "wrong" ? WRONG : INK;
  const cls = opts.cls ? ` class="${opts.cls}"` : "";
  return `<text x="${x}" y="${y}"${anchor}${size}${cls} fill="${fill}">${escapeXml(s)}</text>`;
}

/** The document around a figure's content; `cls` names the figure for the page's CSS. */
function svgDoc(width: number, height: number, body: string, label: string, cls: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="augfig ${cls}" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(label)}" ` +
    `font-family="${FIGURE_FONT}" font-size="${FS}">` +
    `<style>@supports (image-rendering:pixelated){image{image-rendering:pixelated}}</style>` +
    `<rect class="bg" width="${width}" height="${height}" fill="#fff"/>${body}</svg>`
  );
}

// ---------------------------------------------------------------------------------------------
// Figure 1

/** One row of Figure 1: a training digit and its augmented copies, keyed by set id. */
export interface Figure1Row {
  label: number;
  original: Float32Array;
  augmented: Record<string, Float32Array>;
}

export interface Figure1Options {
  /** Column set ids; "orig" is the original image. Default SET_ORDER. */
  columns?: readonly string[];
  /** Size of one tile in units per image pixel. Default 3. */
  upscale?: number;
  /** Pixel values shown black and white. Default [0, 1]; [0, 255] for raw bytes. */
  imageRange?: readonly [number, number];
}

export interface GridLayout {
  width: number;
  height: number;
  /** Side of one tile (image side × upscale). */
  tile: number;
  /** Left x of each column's tiles. */
  colX: number[];
  /** Top y of each row's tiles. */
  rowY: number[];
}

const MARGIN = 10;
const GUTTER = 6;

/** Where Figure 1's tiles go for `rows` rows of side×side images. */
export function figure1Layout(rows: number, side: number, opts: Figure1Options = {}): GridLayout {
  const columns = opts.columns ?? SET_ORDER;
  const tile = side * (opts.upscale ?? 3);
  // Columns at least as wide as their label (about 0.62 em a character in DejaVu Sans).
  const colW = columns.map((s) => Math.max(tile, Math.ceil(setLabel(s).length * FS * 0.62)));
  const colX: number[] = [];
  let x = MARGIN + 18;
  columns.forEach((_, i) => {
    colX.push(x + (colW[i] - tile) / 2);
    x += colW[i] + (i === 0 ? 3 * GUTTER : GUTTER); // a wider gap after the original column
  });
  const top = MARGIN + FS + 8;
  const rowY = Array.from({ length: rows }, (_, r) => top + r * (tile + GUTTER));
  return { width: x - GUTTER + MARGIN, height: top + rows * (tile + GUTTER) - GUTTER + MARGIN, tile, colX, rowY };
}

/**
 * Figure 1 as an SVG document: one row per digit (its class at the left), columns the original then
 * each configured augmentation (set labels above), images white on black as MNIST stores them. A column
 * missing from a row's `augmented` is drawn as an empty framed tile marked n/a.
 */
export function figure1Svg(rows: readonly Figure1Row[], opts: Figure1Options = {}): string {
  if (rows.length === 0) throw new Error("figure1Svg: no rows");
  const columns = opts.columns ?? SET_ORDER;
  const side = squareSide(rows[0].original.length, "figure1Svg: row 0 original");
  const L = figure1Layout(rows.length, side, opts);
  const [lo, hi] = opts.imageRange ?? [0, 1];
  const parts: string[] = [];
  columns.forEach((set, k) =>
    parts.push(text(setLabel(set), L.colX[k] + L.tile / 2, MARGIN + FS, { anchor: "middle" })),
  );
  rows.forEach((row, r) => {
    const y = L.rowY[r];
    parts.push(text(String(row.label), MARGIN, y + L.tile / 2 + FS * 0.35, { cls: "muted" }));
    columns.forEach((set, k) => {
      const img = set === "orig" ? row.original : row.augmented[set];
      if (!img) {
        parts.push(
          `<rect x="${L.colX[k] + 0.5}" y="${y + 0.5}" width="${L.tile - 1}" height="${L.tile - 1}" fill="none" stroke="${FRAME}"/>`,
          text("n/a", L.colX[k] + L.tile / 2, y + L.tile / 2 + 4, { anchor: "middle", cls: "muted" }),
        );
        return;
      }
      if (img.length !== side * side)
        throw new Error(
          `figure1Svg: row ${r} (label ${row.label}) column ${set}: ${img.length} values, expected ${side * side}`,
        );
      parts.push(image(greyPng(img, side, lo, hi), L.colX[k], y, L.tile, `${setLabel(set)}, class ${row.label}`));
    });
  });
  return svgDoc(L.width, L.height, parts.join(""), "Figure 1: the same training digits in each training set", "fig1");
}

// ---------------------------------------------------------------------------------------------
// Figure 4

/** One attribution method's maps: abs[q][s] (|saliency|) and, if saved, signed[q][s]. */
export interface Figure4Method {
  id: string;
  label: string;
  abs: readonly (readonly Float32Array[])[];
  signed?: readonly (readonly Float32Array[])[] | null;
}

export interface Figure4Input {
  queries: readonly { image: Float32Array; label: number; index?: number }[];
  /** Column set ids, e.g. ["orig", "blur"]. */
  sets: readonly string[];
  methods: readonly Figure4Method[];
  /** predictions[q][s]: the model's predicted class and its softmax probability. */
  predictions?: readonly (readonly ({ predicted: number; p: number } | null)[])[];
  /** Outlier percentage for "per-map". Default 2 (Captum's outlier_perc). */
  outlierPerc?: number;
  /** Units per image pixel. Default 3. */
  upscale?: number;
  /** Query pixel values shown black and white. Default [0, 1]. */
  imageRange?: readonly [number, number];
}

export type Figure4Scale = "shared" | "per-map";

export interface Figure4Layout {
  width: number;
  /** Height of one method's panel. */
  panelHeight: number;
  tile: number;
  queryX: number;
  colX: number[];
  /** Top of query q's |map| row and of its signed row (-1 without signed maps), within the panel. */
  absY: number[];
  signedY: number[];
  /** x of the "row max" column (shared scale only, else -1). */
  maxX: number;
  /** The colour bars' x. */
  barX: number;
}

const PRED_H = FS_SMALL + 6;

/** Where Figure 4's tiles go within one method's panel. */
export function figure4Layout(
  queries: number,
  sets: number,
  side: number,
  scale: Figure4Scale,
  opts: { upscale?: number; signed?: boolean; predictions?: boolean } = {},
): Figure4Layout {
  const tile = side * (opts.upscale ?? 3);
  const gap = 6;
  const queryX = MARGIN + 18;
  const colX: number[] = [];
  let x = queryX + tile + 16;
  for (let s = 0; s < sets; s++) {
    colX.push(x);
    x += tile + gap;
  }
  x += 8 - gap;
  let maxX = -1;
  if (scale === "shared") {
    maxX = x;
    x += 62;
  }
  const barX = x + 4;
  const width = barX + 14 + 40 + MARGIN;
  const top = MARGIN + FS + 6 + FS + 8; // panel title, then column heads
  const absY: number[] = [];
  const signedY: number[] = [];
  let y = top;
  const predH = opts.predictions ? PRED_H : 0;
  for (let q = 0; q < queries; q++) {
    absY.push(y);
    y += tile + predH + 4;
    if (opts.signed) {
      signedY.push(y);
      y += tile + 4;
    } else signedY.push(-1);
    y += 10;
  }
  return { width, panelHeight: y - 10 + MARGIN, tile, queryX, colX, absY, signedY, maxX, barX };
}

function colourBar(
  id: string,
  x: number,
  y: number,
  h: number,
  stops: string[],
  ticks: [number, string][],
  title: string,
): string {
  const grad =
    `<linearGradient id="${id}" x1="0" y1="1" x2="0" y2="0">` +
    stops.map((c, i) => `<stop offset="${(i / (stops.length - 1)).toFixed(4)}" stop-color="${c}"/>`).join("") +
    `</linearGradient>`;
  const parts = [
    `<defs>${grad}</defs>`,
    `<rect x="${x}" y="${y}" width="12" height="${h}" fill="url(#${id})" stroke="${MUTED}" stroke-width="0.75"/>`,
  ];
  for (const [t, label] of ticks) {
    const ty = y + (1 - t) * h;
    parts.push(
      `<line x1="${x + 12}" x2="${x + 16}" y1="${ty}" y2="${ty}" stroke="${MUTED}"/>`,
      text(label, x + 18, ty + 4, { size: FS_SMALL }),
    );
  }
  parts.push(text(title, x, y - 5, { size: FS_SMALL, cls: "muted" }));
  return parts.join("");
}

/** One method's panel of Figure 4 as SVG content (no <svg> around it) and its size. */
function figure4Panel(
  input: Figure4Input,
  m: number,
  scale: Figure4Scale,
  idPrefix: string,
): { body: string; width: number; height: number } {
  const { queries, sets } = input;
  const method = input.methods[m];
  const side = squareSide(queries[0].image.length, "figure4Svg: query 0 image");
  const signed = !!method.signed;
  const preds = input.predictions;
  const L = figure4Layout(queries.length, sets.length, side, scale, {
    upscale: input.upscale,
    signed,
    predictions: !!preds,
  });
  const outlierPerc = input.outlierPerc ?? 2;
  const [lo, hi] = input.imageRange ?? [0, 1];
  const parts: string[] = [];
  const scaleName =
    scale === "shared"
      ? "one scale per query and row"
      : `each map on its own scale (Captum, top ${outlierPerc}% clipped)`;
  parts.push(text(`${method.label} \u2014 ${scaleName}`, MARGIN, MARGIN + FS, { cls: "title" }));
  const headY = MARGIN + FS + 6 + FS;
  parts.push(text("Query", L.queryX + L.tile / 2, headY, { anchor: "middle" }));
  sets.forEach((set, s) => parts.push(text(setLabel(set), L.colX[s] + L.tile / 2, headY, { anchor: "middle" })));
  if (L.maxX >= 0) parts.push(text("row max", L.maxX, headY, { cls: "muted", size: FS_SMALL }));
  queries.forEach((q, i) => {
    const abs = method.abs[i];
    if (!abs || abs.length !== sets.length)
      throw new Error(`figure4Svg: ${method.id}: query ${i} has ${abs?.length ?? 0} maps for ${sets.length} sets`);
    const y = L.absY[i];
    parts.push(text(String(q.label), MARGIN, y + L.tile / 2 + 4, { cls: "muted" }));
    parts.push(
      image(greyPng(q.image, side, lo, hi), L.queryX, y, L.tile, `query${q.index !== undefined ? ` #${q.index}` : ""}`),
    );
    const rowMax = sharedMax(abs);
    abs.forEach((map, s) => {
      if (map.length !== side * side)
        throw new Error(`figure4Svg: ${method.id}: map [${i}][${s}] has ${map.length} values, expected ${side * side}`);
      const t = scale === "shared" ? rowMax : captumThreshold(map, outlierPerc);
      parts.push(image(mapPng(normaliseBy(map, t), side, "viridis"), L.colX[s], y, L.tile, `|saliency|, ${sets[s]}`));
      const p = preds?.[i]?.[s];
      if (preds) {
        const ok = p && p.predicted === q.label;
        const label = p ? `${ok ? "" : "\u2717 "}${p.predicted} (${p.p.toFixed(2)})` : "\u2013";
        parts.push(
          text(label, L.colX[s] + L.tile / 2, y + L.tile + FS_SMALL + 2, {
            anchor: "middle",
            size: FS_SMALL,
            cls: ok ? "muted" : "wrong",
          }),
        );
      }
    });
    if (L.maxX >= 0) parts.push(text(shortExp(rowMax), L.maxX, y + L.tile / 2 + 4, { size: FS_SMALL }));
    if (signed) {
      const sm = method.signed![i];
      const ys = L.signedY[i];
      const rowMaxS = sharedMax(sm);
      parts.push(text("signed", L.queryX + L.tile / 2, ys + L.tile / 2 + 4, { anchor: "middle", cls: "muted" }));
      sm.forEach((map, s) => {
        const t = scale === "shared" ? rowMaxS : captumThreshold(map, outlierPerc);
        parts.push(image(mapPng(normaliseSigned(map, t), side, "rdbu"), L.colX[s], ys, L.tile, `signed, ${sets[s]}`));
      });
      if (L.maxX >= 0) parts.push(text(shortExp(rowMaxS), L.maxX, ys + L.tile / 2 + 4, { size: FS_SMALL }));
    }
  });
  // Colour bars beside the first query: viridis for |saliency|, RdBu_r for the signed maps.
  const y0 = L.absY[0];
  parts.push(
    colourBar(
      `${idPrefix}v`,
      L.barX,
      y0 + 14,
      L.tile - 14,
      viridisStops(17),
      [
        [0, "0"],
        [0.5, "0.5"],
        [1, scale === "per-map" ? "\u22651" : "1"],
      ],
      "|s|",
    ),
  );
  if (signed) {
    const stops = Array.from({ length: 17 }, (_, i) => rgbHex(rdbu(-1 + i / 8)));
    parts.push(
      colourBar(
        `${idPrefix}d`,
        L.barX,
        L.signedY[0] + 14,
        L.tile - 14,
        stops,
        [
          [0, "\u22121"],
          [0.5, "0"],
          [1, "+1"],
        ],
        "s",
      ),
    );
  }
  return { body: parts.join(""), width: L.width, height: L.panelHeight };
}

function checkFigure4(input: Figure4Input): void {
  if (input.queries.length === 0) throw new Error("figure4Svg: no queries");
  if (input.sets.length === 0) throw new Error("figure4Svg: no sets");
  if (input.methods.length === 0) throw new Error("figure4Svg: no methods");
  for (const m of input.methods) {
    if (m.abs.length !== input.queries.length)
      throw new Error(`figure4Svg: ${m.id} has maps for ${m.abs.length} queries, expected ${input.queries.length}`);
    if (m.signed && m.signed.length !== input.queries.length)
      throw new Error(`figure4Svg: ${m.id} has signed maps for ${m.signed.length} queries`);
  }
}

/** One method's panel of Figure 4 as a document (the page shows one panel at a time). */
export function figure4PanelSvg(input: Figure4Input, method: string, scale: Figure4Scale, idPrefix = "f4"): string {
  checkFigure4(input);
  const m = input.methods.findIndex((x) => x.id === method);
  if (m < 0) throw new Error(`figure4PanelSvg: no method ${method}`);
  const p = figure4Panel(input, m, scale, `${idPrefix}${m}`);
  return svgDoc(p.width, p.height, p.body, `Figure 4: ${input.methods[m].label}, ${scale} scale`, `fig4 fig4-${scale}`);
}

/**
 * Figure 4 as one document (figures/figure4-{shared,permap}.svg): the panel documents of figure4PanelSvg
 * stacked as nested <svg> elements, so each map image is encoded once for the page and the file alike.
 */
export function figure4Svg(panels: readonly string[], scale: Figure4Scale): string {
  if (panels.length === 0) throw new Error("figure4Svg: no panels");
  let y = 0;
  let width = 0;
  const body = panels
    .map((doc) => {
      const m = /^<svg [^>]*?width="([\d.]+)" height="([\d.]+)"/.exec(doc);
      if (!m) throw new Error("figure4Svg: a panel is not a figure4PanelSvg document");
      const nested = doc.replace(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, `<svg x="0" y="${y}"`);
      y += +m[2];
      width = Math.max(width, +m[1]);
      return nested;
    })
    .join("");
  return svgDoc(width, y, body, `Figure 4: saliency maps, ${scale} scale`, `fig4 fig4-${scale}`);
}
