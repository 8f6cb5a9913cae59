// The raster figures: Figure 1 (the same digits in every training set) and Figure 4 (each model's
// vanilla-gradient saliency map for the query images, as a heat map or overlaid on the query).
// Pure functions: plain arrays in, PNG bytes out; the *Layout functions say where every tile lands so
// tests (and anyone cropping a panel) can find it.
import { VIRIDIS_LUT } from "../colormap.js";
import {
  blitColormap,
  blitGrey,
  createCanvas,
  drawText,
  drawTextVertical,
  encodePng,
  fillRect,
  strokeRect,
  textWidth,
  type Canvas,
  type Rgb,
} from "./png.js";
import { FONT_CAP_HEIGHT } from "./font.js";
import { SET_ORDER, setLabel } from "./types.js";

const INK: Rgb = [29, 29, 31];
const MUTED: Rgb = [95, 99, 104];
const FRAME: Rgb = [200, 203, 208];
const TEXT_SCALE = 2;
const LINE = (FONT_CAP_HEIGHT + 2) * TEXT_SCALE; // one text line incl. descenders

/** Side of a square image stored as `n` row-major values; throws if n is not a square. */
export function squareSide(n: number, what: string): number {
  const side = Math.round(Math.sqrt(n));
  if (side < 1 || side * side !== n) throw new Error(`${what}: ${n} values is not a square image`);
  return side;
}

// ---------------------------------------------------------------------------------------------
// Normalisation of saliency maps for display

/**
 * Captum's outlier threshold (visualization._cumulative_sum_threshold with percentile
 * 100 - outlierPerc): sort |v| ascending and return the first value at which the running sum reaches
 * (100 - outlierPerc)% of the total. Values above it — the pixels that carry the top outlierPerc% of the
 * attribution mass, not the top outlierPerc% of pixels — are clipped to 1 by visualize_image_attr
 * (sign="absolute_value", outlier_perc=2 by default). NaN counts as 0. Returns 0 for an all-zero map.
 */
export function captumThreshold(values: ArrayLike<number>, outlierPerc = 2): number {
  if (!(outlierPerc >= 0 && outlierPerc < 100))
    throw new Error(`captumThreshold: outlierPerc must be in [0, 100), got ${outlierPerc}`);
  const sorted = Float64Array.from(values, (v) => (Number.isNaN(v) ? 0 : Math.abs(v))).sort();
  let total = 0;
  for (const v of sorted) total += v;
  if (!(total > 0)) return 0;
  const target = total * 0.01 * (100 - outlierPerc);
  let cum = 0;
  for (const v of sorted) {
    cum += v;
    if (cum >= target) return v;
  }
  return sorted[sorted.length - 1];
}

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
  /** Nearest-neighbour upscaling. Default 4. */
  upscale?: number;
  /** Pixel values shown black and white. Default [0, 1]; [0, 255] for raw bytes. */
  imageRange?: readonly [number, number];
}

export interface GridLayout {
  width: number;
  height: number;
  /** Side of one tile in pixels (image side × upscale). */
  tile: number;
  /** Left x of each column's tiles. */
  colX: number[];
  /** Top y of each row's tiles. */
  rowY: number[];
}

const MARGIN = 12;
const GUTTER = 4;

/** Where Figure 1's tiles go for `rows` rows of side×side images. */
export function figure1Layout(rows: number, side: number, opts: Figure1Options = {}): GridLayout {
  const columns = opts.columns ?? SET_ORDER;
  const up = opts.upscale ?? 4;
  const tile = side * up;
  const labelW = textWidth("0", TEXT_SCALE) + 10;
  const colX: number[] = [];
  let x = MARGIN + labelW;
  columns.forEach((_, i) => {
    colX.push(x);
    x += tile + (i === 0 ? 3 * GUTTER : GUTTER); // a wider gap after the original column
  });
  const top = MARGIN + LINE + 6;
  const rowY = Array.from({ length: rows }, (_, r) => top + r * (tile + GUTTER));
  return { width: x - GUTTER + MARGIN, height: top + rows * (tile + GUTTER) - GUTTER + MARGIN, tile, colX, rowY };
}

/**
 * Figure 1 as PNG: one row per digit (label at the left), columns original then each augmentation
 * (set labels drawn above), images in [0, 1] shown white on black as MNIST stores them, upscaled
 * nearest-neighbour. A column missing from a row's `augmented` is drawn as an empty framed tile.
 */
export function renderFigure1(rows: readonly Figure1Row[], opts: Figure1Options = {}): Buffer {
  return encodePng(renderFigure1Canvas(rows, opts));
}

/** renderFigure1 before encoding (for callers that compose canvases). */
export function renderFigure1Canvas(rows: readonly Figure1Row[], opts: Figure1Options = {}): Canvas {
  if (rows.length === 0) throw new Error("renderFigure1: no rows");
  const columns = opts.columns ?? SET_ORDER;
  const up = opts.upscale ?? 4;
  const side = squareSide(rows[0].original.length, "renderFigure1: row 0 original");
  const L = figure1Layout(rows.length, side, { columns, upscale: up });
  const [lo, hi] = opts.imageRange ?? [0, 1];
  const c = createCanvas(L.width, L.height);
  columns.forEach((set, k) => {
    drawText(c, setLabel(set), L.colX[k] + L.tile / 2, MARGIN, { color: INK, scale: TEXT_SCALE, align: "center" });
  });
  rows.forEach((row, r) => {
    const y = L.rowY[r];
    drawText(c, String(row.label), MARGIN, y + (L.tile - FONT_CAP_HEIGHT * TEXT_SCALE) / 2, {
      color: MUTED,
      scale: TEXT_SCALE,
    });
    columns.forEach((set, k) => {
      const img = set === "orig" ? row.original : row.augmented[set];
      if (!img) {
        strokeRect(c, L.colX[k], y, L.tile, L.tile, FRAME);
        drawText(c, "n/a", L.colX[k] + L.tile / 2, y + L.tile / 2 - FONT_CAP_HEIGHT, {
          color: MUTED,
          scale: TEXT_SCALE,
          align: "center",
        });
        return;
      }
      if (img.length !== side * side) {
        throw new Error(
          `renderFigure1: row ${r} (label ${row.label}) column ${set}: ${img.length} values, expected ${side * side}`,
        );
      }
      blitGrey(c, img, side, side, L.colX[k], y, { scale: up, lo, hi });
    });
  });
  return c;
}

// ---------------------------------------------------------------------------------------------
// Figure 4

export interface Figure4Input {
  queries: readonly { image: Float32Array; label: number }[];
  /** Column set ids, e.g. SET_ORDER. */
  sets: readonly string[];
  /** maps[q][s]: absolute saliency of query q under model s, row-major, same size as the image. */
  maps: readonly (readonly Float32Array[])[];
  /** "heat": the map alone; "overlay": the map alpha-blended over the grey query. Default "heat". */
  mode?: "heat" | "overlay";
  /**
   * "shared" (default): the maps of one query share one scale, 0..the largest value over the row, so
   * a weaker map looks weaker. "per-map": each map on its own scale, clipped at Captum's
   * outlier threshold (see captumThreshold), so every map uses the full colour range.
   */
  scale?: "shared" | "per-map";
  /** Opacity of the heat map in overlay mode. Default 0.6. */
  alpha?: number;
  /**
   * Brightness of the grey query under the heat map in overlay mode: the image's white is drawn at this
   * fraction of full white. Default 0.5, so the blended colours on the strokes stay readable.
   */
  underlay?: number;
  /** Outlier percentage for "per-map". Default 2 (Captum's outlier_perc). */
  outlierPerc?: number;
  /** Nearest-neighbour upscaling. Default 4. */
  upscale?: number;
  /** Query pixel values shown black and white. Default [0, 1]. */
  imageRange?: readonly [number, number];
}

export interface Figure4Layout extends GridLayout {
  /** x of the query column (colX holds the map columns). */
  queryX: number;
  /** x of the "row max" value column, or -1 in per-map mode. */
  maxX: number;
  /** The colour bar's rectangle. */
  bar: { x: number; y: number; w: number; h: number };
}

const MAX_FMT_WIDTH = "0.0e-00";

/** Where Figure 4's tiles go. */
export function figure4Layout(
  queries: number,
  sets: number,
  side: number,
  scale: "shared" | "per-map" = "shared",
  upscale = 4,
): Figure4Layout {
  const tile = side * upscale;
  const gap = 6;
  const labelW = textWidth("0", TEXT_SCALE) + 12;
  const queryX = MARGIN + labelW;
  const colX: number[] = [];
  let x = queryX + tile + 20;
  for (let s = 0; s < sets; s++) {
    colX.push(x);
    x += tile + gap;
  }
  x += 12 - gap;
  let maxX = -1;
  if (scale === "shared") {
    maxX = x;
    x += Math.max(textWidth("row max", TEXT_SCALE), textWidth(MAX_FMT_WIDTH, TEXT_SCALE)) + 18;
  }
  const top = MARGIN + LINE + 8;
  const rowY = Array.from({ length: queries }, (_, q) => top + q * (tile + gap));
  const gridBottom = top + queries * (tile + gap) - gap;
  const bar = { x, y: top, w: 16, h: gridBottom - top };
  const tickW = textWidth("0.75", TEXT_SCALE);
  const width = bar.x + bar.w + 12 + tickW + 12 + 9 * TEXT_SCALE + MARGIN;
  return { width, height: gridBottom + MARGIN, tile, colX, rowY, queryX, maxX, bar };
}

/** Scientific notation with 2 significant digits, as drawn in the "row max" column: 3.2e-2. */
export function shortExp(v: number): string {
  if (!Number.isFinite(v)) return "\u2013";
  if (v === 0) return "0";
  return v.toExponential(1).replace("e+", "e");
}

/** Figure 4 as PNG. Rows are queries, columns the query image then one map per set, plus a colour bar. */
export function renderFigure4(input: Figure4Input): Buffer {
  return encodePng(renderFigure4Canvas(input));
}

/** renderFigure4 before encoding. */
export function renderFigure4Canvas(input: Figure4Input): Canvas {
  const { queries, sets, maps } = input;
  const mode = input.mode ?? "heat";
  const scaleMode = input.scale ?? "shared";
  const alpha = input.alpha ?? 0.6;
  const underlay = input.underlay ?? 0.5;
  const [lo, hi] = input.imageRange ?? [0, 1];
  if (!(underlay > 0 && underlay <= 1)) throw new Error(`renderFigure4: underlay must be in (0, 1], got ${underlay}`);
  const outlierPerc = input.outlierPerc ?? 2;
  const up = input.upscale ?? 4;
  if (mode !== "heat" && mode !== "overlay")
    throw new Error(`renderFigure4: mode must be "heat" or "overlay", got ${JSON.stringify(mode)}`);
  if (scaleMode !== "shared" && scaleMode !== "per-map")
    throw new Error(`renderFigure4: scale must be "shared" or "per-map", got ${JSON.stringify(scaleMode)}`);
  if (queries.length === 0) throw new Error("renderFigure4: no queries");
  if (sets.length === 0) throw new Error("renderFigure4: no sets");
  if (maps.length !== queries.length)
    throw new Error(`renderFigure4: maps has ${maps.length} rows for ${queries.length} queries`);
  const side = squareSide(queries[0].image.length, "renderFigure4: query 0 image");
  queries.forEach((q, i) => {
    if (q.image.length !== side * side)
      throw new Error(`renderFigure4: query ${i} image has ${q.image.length} values, expected ${side * side}`);
    if (maps[i].length !== sets.length)
      throw new Error(`renderFigure4: maps[${i}] has ${maps[i].length} maps for ${sets.length} sets`);
    maps[i].forEach((m, s) => {
      if (m.length !== side * side)
        throw new Error(`renderFigure4: maps[${i}][${s}] (${sets[s]}) has ${m.length} values, expected ${side * side}`);
    });
  });

  const L = figure4Layout(queries.length, sets.length, side, scaleMode, up);
  const c = createCanvas(L.width, L.height);
  const headY = MARGIN;
  drawText(c, "Query", L.queryX + L.tile / 2, headY, { color: INK, scale: TEXT_SCALE, align: "center" });
  sets.forEach((set, s) =>
    drawText(c, setLabel(set), L.colX[s] + L.tile / 2, headY, { color: INK, scale: TEXT_SCALE, align: "center" }),
  );
  if (L.maxX >= 0) drawText(c, "row max", L.maxX, headY, { color: MUTED, scale: TEXT_SCALE });

  queries.forEach((q, i) => {
    const y = L.rowY[i];
    const midY = y + Math.round((L.tile - FONT_CAP_HEIGHT * TEXT_SCALE) / 2);
    drawText(c, String(q.label), MARGIN, midY, { color: MUTED, scale: TEXT_SCALE });
    blitGrey(c, q.image, side, side, L.queryX, y, { scale: up, lo, hi });
    const rowScale = sharedMax(maps[i]);
    sets.forEach((_, s) => {
      const map = maps[i][s];
      const norm =
        scaleMode === "shared" ? normaliseBy(map, rowScale) : normaliseBy(map, captumThreshold(map, outlierPerc));
      const x = L.colX[s];
      if (mode === "overlay") {
        // The query is dimmed under the heat map so the colours stay readable on the bright strokes.
        blitGrey(c, q.image, side, side, x, y, { scale: up, lo, hi: lo + (hi - lo) / underlay });
        blitColormap(c, norm, side, side, x, y, { scale: up, lut: VIRIDIS_LUT, alpha });
      } else {
        blitColormap(c, norm, side, side, x, y, { scale: up, lut: VIRIDIS_LUT });
      }
    });
    if (L.maxX >= 0) drawText(c, shortExp(rowScale), L.maxX, midY, { color: MUTED, scale: TEXT_SCALE });
  });

  // Colour bar: value 1 at the top. In overlay mode it shows the heat colours before blending.
  const { bar } = L;
  for (let yy = 0; yy < bar.h; yy++) {
    const t = 1 - yy / Math.max(1, bar.h - 1);
    const k = Math.min(255, Math.floor(t * 256));
    fillRect(c, bar.x, bar.y + yy, bar.w, 1, [VIRIDIS_LUT[k * 3], VIRIDIS_LUT[k * 3 + 1], VIRIDIS_LUT[k * 3 + 2]]);
  }
  strokeRect(c, bar.x - 1, bar.y - 1, bar.w + 2, bar.h + 2, MUTED);
  const ticks: [number, string][] = [
    [0, "0"],
    [0.25, "0.25"],
    [0.5, "0.5"],
    [0.75, "0.75"],
    [1, scaleMode === "per-map" ? "\u22651" : "1"],
  ];
  for (const [t, label] of ticks) {
    const ty = bar.y + Math.round((1 - t) * (bar.h - 1));
    fillRect(c, bar.x + bar.w + 1, ty, 5, 1, MUTED);
    const textY = Math.min(
      Math.max(ty - (FONT_CAP_HEIGHT * TEXT_SCALE) / 2, bar.y),
      bar.y + bar.h - FONT_CAP_HEIGHT * TEXT_SCALE,
    );
    drawText(c, label, bar.x + bar.w + 12, Math.round(textY), { color: INK, scale: TEXT_SCALE });
  }
  // The bar's axis label, turned; the longest wording that fits the bar's height.
  const titles =
    scaleMode === "shared"
      ? ["|saliency| / row max (one scale per query)", "|saliency| / row max", "/ row max"]
      : [
          `|saliency| / per-map threshold (top ${outlierPerc}% of mass clipped)`,
          "|saliency| / per-map threshold",
          "per map",
        ];
  const title = titles.find((t) => textWidth(t, TEXT_SCALE) <= bar.h);
  if (title) {
    const titleX = L.width - MARGIN - 9 * TEXT_SCALE + 2;
    drawTextVertical(c, title, titleX, bar.y + Math.round((bar.h - textWidth(title, TEXT_SCALE)) / 2), {
      color: MUTED,
      scale: TEXT_SCALE,
    });
  }
  return c;
}
