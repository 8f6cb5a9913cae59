// Hand-written SVG charts for Figures 2, 3 and 5: no plotting dependency, strings out.
//
// Colours: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), whose eight colours stay
// distinguishable under the common colour-vision deficiencies; every line also has its own marker and
// dash pattern, so the charts still read in greyscale. Axis ticks are "nice numbers" (Heckbert,
// Graphics Gems, 1990): steps of 1, 2 or 5 × 10^k, the one nearest the wanted count as d3.ticks picks it,
// with the axis ends on multiples of the step.
import { escapeXml, fixed, typographic } from "./format.js";
import { metricInfo, noiseBand, type MetricInfo } from "./verdict.js";
import { setLabel, sortBySet, type HistoryRow, type MetricRow, type NoiseFloor, BASELINE_SET } from "./types.js";

/** The Okabe–Ito palette. */
export const OKABE_ITO = {
  black: "#000000",
  orange: "#E69F00",
  skyBlue: "#56B4E9",
  bluishGreen: "#009E73",
  yellow: "#F0E442",
  blue: "#0072B2",
  vermillion: "#D55E00",
  reddishPurple: "#CC79A7",
} as const;

export type MarkerKind = "circle" | "square" | "triangle" | "diamond" | "triangleDown" | "cross" | "plus" | "star";

export interface SeriesStyle {
  color: string;
  marker: MarkerKind;
  /** SVG stroke-dasharray, "" for solid. */
  dash: string;
}

const STYLES: Record<string, SeriesStyle> = {
  orig: { color: OKABE_ITO.black, marker: "circle", dash: "" },
  scaling: { color: OKABE_ITO.orange, marker: "square", dash: "7 3" },
  crop: { color: OKABE_ITO.skyBlue, marker: "triangle", dash: "" },
  erasing: { color: OKABE_ITO.bluishGreen, marker: "diamond", dash: "2 2.5" },
  distortion: { color: OKABE_ITO.vermillion, marker: "triangleDown", dash: "9 3 2 3" },
  blur: { color: OKABE_ITO.blue, marker: "cross", dash: "4 2" },
};
const EXTRA: SeriesStyle[] = [
  { color: OKABE_ITO.reddishPurple, marker: "plus", dash: "1 3" },
  { color: "#8C6D00", marker: "star", dash: "10 2" }, // a darkened Okabe–Ito yellow: pure yellow vanishes on white
  { color: "#6E6E6E", marker: "circle", dash: "3 3" },
];

/** Colour, marker and dash of a set: fixed for the six known sets, then the extra styles in order. */
export function setStyle(set: string, extraIndex = 0): SeriesStyle {
  return STYLES[set] ?? EXTRA[extraIndex % EXTRA.length];
}

function stylesFor(sets: readonly string[]): SeriesStyle[] {
  let extra = 0;
  return sets.map((s) => (STYLES[s] ? STYLES[s] : setStyle(s, extra++)));
}

// ---------------------------------------------------------------------------------------------
// Ticks

/** The 1-2-5 × 10^k step nearest (geometrically) to span / target, as d3-array's tickIncrement picks it. */
function niceStep(span: number, target: number): number {
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const err = raw / power;
  const factor = err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.sqrt(2) ? 2 : 1;
  return factor * power;
}

export interface Ticks {
  /** Axis ends (multiples of step enclosing the data). */
  lo: number;
  hi: number;
  step: number;
  /** Decimals that show every tick exactly. */
  decimals: number;
  values: number[];
}

/**
 * Nice ticks covering [lo, hi] with about `target` intervals: the step is 1, 2 or 5 × 10^k
 * and the axis ends are multiples of it. A degenerate or non-finite range is widened sensibly.
 */
export function niceTicks(lo: number, hi: number, target = 5): Ticks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (lo > hi) [lo, hi] = [hi, lo];
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, Math.max(1, target));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const a = Math.floor(lo / step + 1e-9);
  const b = Math.ceil(hi / step - 1e-9);
  const values: number[] = [];
  for (let i = a; i <= b; i++) values.push(Number((i * step).toFixed(decimals)) + 0);
  return { lo: values[0], hi: values[values.length - 1], step, decimals, values };
}

// ---------------------------------------------------------------------------------------------
// Drawing primitives

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const INK = "#1d1d1f";
const MUTED = "#5f6368";
const GRID = "#e4e6ea";
const AXIS = "#9aa0a6";

const n2 = (x: number) => (Math.round(x * 100) / 100).toString();

interface Frame {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Scale {
  lo: number;
  hi: number;
  (v: number): number;
}

function linear(lo: number, hi: number, r0: number, r1: number): Scale {
  const f = ((v: number) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0)) as Scale;
  f.lo = lo;
  f.hi = hi;
  return f;
}

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${n2(x)}" y="${n2(y)}"${attrs ? " " + attrs : ""}>${escapeXml(typographic(s))}</text>`;
}

/** A marker centred at (x, y) with "radius" r. Filled markers get a white halo to separate them from lines. */
export function marker(kind: MarkerKind, x: number, y: number, r: number, color: string): string {
  const fill = `fill="${color}" stroke="#fff" stroke-width="0.9"`;
  const p = (pts: [number, number][]) =>
    `<path d="M${pts.map(([a, b]) => `${n2(x + a)} ${n2(y + b)}`).join("L")}Z" ${fill}/>`;
  switch (kind) {
    case "circle":
      return `<circle cx="${n2(x)}" cy="${n2(y)}" r="${n2(r)}" ${fill}/>`;
    case "square":
      return `<rect x="${n2(x - r * 0.85)}" y="${n2(y - r * 0.85)}" width="${n2(r * 1.7)}" height="${n2(r * 1.7)}" ${fill}/>`;
    case "triangle":
      return p([
        [0, -r * 1.15],
        [r * 1.05, r * 0.75],
        [-r * 1.05, r * 0.75],
      ]);
    case "triangleDown":
      return p([
        [0, r * 1.15],
        [r * 1.05, -r * 0.75],
        [-r * 1.05, -r * 0.75],
      ]);
    case "diamond":
      return p([
        [0, -r * 1.2],
        [r, 0],
        [0, r * 1.2],
        [-r, 0],
      ]);
    case "star": {
      const pts: [number, number][] = [];
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        const rr = i % 2 === 0 ? r * 1.25 : r * 0.55;
        pts.push([rr * Math.cos(a), rr * Math.sin(a)]);
      }
      return p(pts);
    }
    case "cross":
    case "plus": {
      const d = r * 0.95;
      const path =
        kind === "cross"
          ? `M${n2(x - d)} ${n2(y - d)}L${n2(x + d)} ${n2(y + d)}M${n2(x - d)} ${n2(y + d)}L${n2(x + d)} ${n2(y - d)}`
          : `M${n2(x - d * 1.2)} ${n2(y)}L${n2(x + d * 1.2)} ${n2(y)}M${n2(x)} ${n2(y - d * 1.2)}L${n2(x)} ${n2(y + d * 1.2)}`;
      return `<path d="${path}" stroke="${color}" stroke-width="2.2" stroke-linecap="round" fill="none"/>`;
    }
  }
}

/** Horizontal grid lines, y ticks with labels and the y-axis title (turned). */
function yAxis(f: Frame, y: Scale, ticks: Ticks, title: string): string {
  const out: string[] = [];
  for (const v of ticks.values) {
    const yy = y(v);
    out.push(
      `<line x1="${n2(f.x)}" x2="${n2(f.x + f.w)}" y1="${n2(yy)}" y2="${n2(yy)}" stroke="${v === 0 ? AXIS : GRID}" stroke-width="1"/>`,
    );
    out.push(`<line x1="${n2(f.x - 4)}" x2="${n2(f.x)}" y1="${n2(yy)}" y2="${n2(yy)}" stroke="${AXIS}"/>`);
    out.push(text(f.x - 7, yy + 4, v.toFixed(ticks.decimals), `text-anchor="end" fill="${MUTED}"`));
  }
  const cx = f.x - 48;
  const cy = f.y + f.h / 2;
  out.push(text(cx, cy, title, `text-anchor="middle" transform="rotate(-90 ${n2(cx)} ${n2(cy)})" fill="${INK}"`));
  out.push(`<line x1="${n2(f.x)}" x2="${n2(f.x)}" y1="${n2(f.y)}" y2="${n2(f.y + f.h)}" stroke="${AXIS}"/>`);
  return out.join("");
}

function xAxisNumeric(f: Frame, x: Scale, ticks: Ticks, title: string): string {
  const out: string[] = [];
  const by = f.y + f.h;
  out.push(`<line x1="${n2(f.x)}" x2="${n2(f.x + f.w)}" y1="${n2(by)}" y2="${n2(by)}" stroke="${AXIS}"/>`);
  for (const v of ticks.values) {
    const xx = x(v);
    out.push(`<line x1="${n2(xx)}" x2="${n2(xx)}" y1="${n2(by)}" y2="${n2(by + 4)}" stroke="${AXIS}"/>`);
    out.push(text(xx, by + 18, v.toFixed(ticks.decimals), `text-anchor="middle" fill="${MUTED}"`));
  }
  out.push(text(f.x + f.w / 2, by + 38, title, `text-anchor="middle" fill="${INK}"`));
  return out.join("");
}

function panelTitle(f: Frame, title: string, note = ""): string {
  return (
    text(f.x, f.y - 27, title, `font-weight="600" font-size="14" fill="${INK}"`) +
    (note ? text(f.x, f.y - 10, note, `font-size="11.5" fill="${MUTED}" font-style="italic"`) : "")
  );
}

function svgDoc(width: number, height: number, body: string, title: string, desc: string, standalone: boolean): string {
  const ns = standalone ? ` xmlns="http://www.w3.org/2000/svg"` : "";
  const head = standalone ? `<?xml version="1.0" encoding="UTF-8"?>\n` : "";
  return (
    `${head}<svg${ns} viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
    `font-family="${FONT}" font-size="12.5">` +
    `<title>${escapeXml(title)}</title><desc>${escapeXml(desc)}</desc>` +
    `<rect width="${width}" height="${height}" fill="#fff"/>${body}</svg>` +
    (standalone ? "\n" : "")
  );
}

/** A horizontal legend of line samples (with markers) or colour swatches, centred on cx. */
function legend(
  cx: number,
  y: number,
  items: { label: string; style: SeriesStyle; kind: "line" | "band" | "dashed" }[],
): string {
  const sample = 30;
  const charW = 7.1; // average advance of 12.5px sans-serif, for layout only
  const widths = items.map((it) => sample + 8 + it.label.length * charW + 22);
  const total = widths.reduce((a, b) => a + b, 0) - 22;
  let x = cx - total / 2;
  const out: string[] = [];
  items.forEach((it, i) => {
    const s = it.style;
    if (it.kind === "line") {
      out.push(
        `<line x1="${n2(x)}" x2="${n2(x + sample)}" y1="${n2(y)}" y2="${n2(y)}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
      );
      out.push(marker(s.marker, x + sample / 2, y, 4, s.color));
    } else if (it.kind === "band") {
      out.push(
        `<rect x="${n2(x)}" y="${n2(y - 6)}" width="${sample}" height="12" fill="${s.color}" fill-opacity="0.13" stroke="none"/>`,
      );
      out.push(
        `<line x1="${n2(x)}" x2="${n2(x + sample)}" y1="${n2(y)}" y2="${n2(y)}" stroke="${s.color}" stroke-width="1.6" stroke-dasharray="5 3"/>`,
      );
    } else {
      out.push(
        `<line x1="${n2(x)}" x2="${n2(x + sample)}" y1="${n2(y)}" y2="${n2(y)}" stroke="${s.color}" stroke-width="1.6" stroke-dasharray="5 3"/>`,
      );
    }
    out.push(text(x + sample + 8, y + 4.5, it.label, `fill="${INK}"`));
    x += widths[i];
  });
  return `<g class="legend">${out.join("")}</g>`;
}

// ---------------------------------------------------------------------------------------------
// Figure 2: learning curves

interface LineSeries {
  label: string;
  style: SeriesStyle;
  ys: number[];
}

function linePanel(
  f: Frame,
  id: string,
  series: LineSeries[],
  opts: { title: string; note?: string; yTitle: string; fromZero: boolean },
): string {
  const n = Math.max(1, ...series.map((s) => s.ys.length));
  const all = series.flatMap((s) => s.ys.filter((v) => Number.isFinite(v)));
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (opts.fromZero) lo = Math.min(0, lo);
  const yt = niceTicks(lo, hi, 5);
  const xt = niceTicks(0, n, 6);
  const x = linear(0, xt.hi, f.x, f.x + f.w);
  const y = linear(yt.lo, yt.hi, f.y + f.h, f.y);
  const out: string[] = [
    panelTitle(f, opts.title, opts.note),
    yAxis(f, y, yt, opts.yTitle),
    xAxisNumeric(f, x, xt, "Epoch"),
  ];
  out.push(
    `<clipPath id="${id}-clip"><rect x="${n2(f.x - 6)}" y="${n2(f.y - 6)}" width="${n2(f.w + 12)}" height="${n2(f.h + 12)}"/></clipPath>`,
  );
  const lines: string[] = [];
  series.forEach((s, k) => {
    // Break the line at missing values rather than drawing through them.
    let d = "";
    let pen = false;
    s.ys.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${n2(x(i + 1))} ${n2(y(v))}`;
      pen = true;
    });
    lines.push(
      `<path d="${d}" fill="none" stroke="${s.style.color}" stroke-width="1.9" stroke-linejoin="round"${s.style.dash ? ` stroke-dasharray="${s.style.dash}"` : ""}><title>${escapeXml(s.label)}</title></path>`,
    );
    // Markers every 5 epochs, staggered per series so they do not sit on top of each other.
    s.ys.forEach((v, i) => {
      if (Number.isFinite(v) && (i + k) % 5 === 4)
        lines.push(marker(s.style.marker, x(i + 1), y(v), 3.6, s.style.color));
    });
  });
  out.push(`<g clip-path="url(#${id}-clip)">${lines.join("")}</g>`);
  return out.join("");
}

export interface SvgOptions {
  /** A standalone .svg file (XML declaration, xmlns). Default true; false for inlining into HTML. */
  standalone?: boolean;
  /** Prefix for element ids, unique per page when several SVGs are inlined. */
  idPrefix?: string;
}

/** Figure 2: (a) training loss and (b) validation accuracy per epoch, one line per model. */
export function renderFigure2Svg(histories: readonly HistoryRow[], opts: SvgOptions = {}): string {
  const rows = sortBySet(histories);
  const styles = stylesFor(rows.map((r) => r.set));
  const id = opts.idPrefix ?? "fig2";
  const W = 980;
  const H = 420;
  const top = 92;
  const ph = H - top - 62;
  const pw = (W - 80 - 84 - 64) / 2;
  const fa: Frame = { x: 80, y: top, w: pw, h: ph };
  const fb: Frame = { x: 80 + pw + 84, y: top, w: pw, h: ph };
  const mk = (get: (r: HistoryRow) => number[]): LineSeries[] =>
    rows.map((r, i) => ({ label: setLabel(r.set), style: styles[i], ys: get(r) }));
  const body =
    legend(
      W / 2,
      22,
      rows.map((r, i) => ({ label: setLabel(r.set), style: styles[i], kind: "line" as const })),
    ) +
    linePanel(
      fa,
      `${id}-a`,
      mk((r) => r.epochLoss),
      { title: "(a) Training loss", note: "mean over the epoch", yTitle: "Cross-entropy loss", fromZero: true },
    ) +
    linePanel(
      fb,
      `${id}-b`,
      mk((r) => r.valAcc),
      { title: "(b) Validation accuracy", note: "after each epoch", yTitle: "Accuracy", fromZero: false },
    );
  const desc = `Training loss and validation accuracy per epoch for ${rows.map((r) => setLabel(r.set)).join(", ")}.`;
  return svgDoc(W, H, body, "Figure 2: learning curves", desc, opts.standalone ?? true);
}

// ---------------------------------------------------------------------------------------------
// Figures 3 and 5: bars with sd error bars and the seed noise band

interface Bar {
  label: string;
  style: SeriesStyle;
  mean: number;
  sd: number;
}

interface BandSpec {
  lo: number;
  hi: number;
  center: number;
}

function barPanel(
  f: Frame,
  bars: Bar[],
  opts: { title: string; note?: string; yTitle: string; band: BandSpec | null; digits: number },
): string {
  const vals: number[] = [0];
  for (const b of bars) {
    if (Number.isFinite(b.mean)) {
      const sd = Number.isFinite(b.sd) ? Math.abs(b.sd) : 0;
      vals.push(b.mean + sd, b.mean - sd);
    }
  }
  if (opts.band) vals.push(opts.band.lo, opts.band.hi);
  let hi = Math.max(...vals);
  const lo = Math.min(...vals);
  hi += (hi - lo) * 0.08; // room for the value labels
  const yt = niceTicks(lo, hi, 5);
  const y = linear(yt.lo, yt.hi, f.y + f.h, f.y);
  const out: string[] = [panelTitle(f, opts.title, opts.note), yAxis(f, y, yt, opts.yTitle)];
  const by = f.y + f.h;
  out.push(`<line x1="${n2(f.x)}" x2="${n2(f.x + f.w)}" y1="${n2(by)}" y2="${n2(by)}" stroke="${AXIS}"/>`);
  if (opts.band) {
    const b = opts.band;
    out.push(
      `<rect x="${n2(f.x)}" y="${n2(y(b.hi))}" width="${n2(f.w)}" height="${n2(Math.max(0.5, y(b.lo) - y(b.hi)))}" fill="${MUTED}" fill-opacity="0.13"/>`,
    );
  }
  const band = f.w / Math.max(1, bars.length);
  const bw = Math.min(56, band * 0.62);
  const y0 = y(0);
  const labels: string[] = [];
  bars.forEach((b, i) => {
    const cx = f.x + band * (i + 0.5);
    out.push(text(cx, by + 18, b.label, `text-anchor="middle" fill="${INK}"`));
    if (!Number.isFinite(b.mean)) {
      out.push(text(cx, y0 - 6, "\u2013", `text-anchor="middle" fill="${MUTED}"`));
      return;
    }
    const ym = y(b.mean);
    out.push(
      `<rect x="${n2(cx - bw / 2)}" y="${n2(Math.min(ym, y0))}" width="${n2(bw)}" height="${n2(Math.abs(y0 - ym))}" fill="${b.style.color}" fill-opacity="0.82" stroke="${b.style.color}"><title>${escapeXml(`${b.label}: ${fixed(b.mean, opts.digits)} ± ${fixed(b.sd, opts.digits)}`)}</title></rect>`,
    );
    let labelY = Math.min(ym, y0) - 6;
    if (Number.isFinite(b.sd) && b.sd !== 0) {
      const s = Math.abs(b.sd);
      const ya = y(b.mean + s);
      const yb = y(b.mean - s);
      out.push(
        `<path d="M${n2(cx)} ${n2(ya)}V${n2(yb)}M${n2(cx - 7)} ${n2(ya)}H${n2(cx + 7)}M${n2(cx - 7)} ${n2(yb)}H${n2(cx + 7)}" stroke="${INK}" stroke-width="1.3" fill="none"/>`,
      );
      labelY = Math.min(labelY, ya - 6);
    }
    labels.push(
      text(
        cx,
        labelY,
        fixed(b.mean, opts.digits),
        `text-anchor="middle" font-size="11" fill="${MUTED}" stroke="#fff" stroke-width="3" paint-order="stroke"`,
      ),
    );
  });
  if (opts.band) {
    const yc = y(opts.band.center);
    out.push(
      `<line x1="${n2(f.x)}" x2="${n2(f.x + f.w)}" y1="${n2(yc)}" y2="${n2(yc)}" stroke="${INK}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
    );
  }
  // Value labels last, over the noise line, each on a white halo.
  return out.join("") + labels.join("");
}

function metricBars(rows: readonly MetricRow[], metric: MetricInfo, styles: SeriesStyle[]): Bar[] {
  return rows.map((r, i) => ({ label: setLabel(r.set), style: styles[i], mean: r[metric.key], sd: r[metric.sdKey] }));
}

export interface MetricSvgOptions extends SvgOptions {
  /** Set the maps are compared against (default "orig"). */
  baselineSet?: string;
}

/**
 * Figure 3: spatial entropy (nats) and histogram entropy (bits) per model, mean ± sd over the query
 * images; the grey band is the baseline's entropy ± the seed tolerance of the verdict rule.
 */
export function renderFigure3Svg(
  metrics: readonly MetricRow[],
  noiseFloor: NoiseFloor | null,
  opts: MetricSvgOptions = {},
): string {
  const rows = sortBySet(metrics);
  const base = opts.baselineSet ?? BASELINE_SET;
  const styles = stylesFor(rows.map((r) => r.set));
  const { W, H, fa, fb } = twoPanels();
  const panels = (["entropySpatial", "entropyHist"] as const).map((key, k) => {
    const m = metricInfo(key);
    const band = noiseBand(
      m,
      noiseFloor,
      rows.find((r) => r.set === base),
    );
    return barPanel(k === 0 ? fa : fb, metricBars(rows, m, styles), {
      title: k === 0 ? "(a) Spatial entropy" : "(b) Histogram entropy",
      note: k === 0 ? "map as a distribution over pixels" : "distribution of map values",
      yTitle: `Entropy (${m.unit})`,
      band,
      digits: 2,
    });
  });
  const hasBand = noiseFloor !== null;
  const legendItems = hasBand
    ? [
        {
          label: `${setLabel(base)} ± floor tolerance (|H floor − H ${setLabel(base)}| + sd)`,
          style: { color: INK, marker: "circle" as const, dash: "" },
          kind: "band" as const,
        },
      ]
    : [];
  const body =
    (hasBand
      ? legend(W / 2, 22, legendItems)
      : text(W / 2, 26, "no second-seed baseline: no noise band", `text-anchor="middle" fill="${MUTED}"`)) +
    panels.join("");
  return svgDoc(
    W,
    H,
    body,
    "Figure 3: Shannon entropy of the saliency maps",
    `Entropy per model (mean ± sd over query images) for ${rows.map((r) => setLabel(r.set)).join(", ")}.`,
    opts.standalone ?? true,
  );
}

/** The layout of the two-panel bar charts (Figures 3 and 5): 980 x 410 with two equal frames. */
function twoPanels(): { W: number; H: number; fa: Frame; fb: Frame } {
  const W = 980;
  const H = 410;
  const top = 92;
  const ph = H - top - 50;
  const pw = (W - 80 - 84 - 24) / 2;
  return { W, H, fa: { x: 80, y: top, w: pw, h: ph }, fb: { x: 80 + pw + 84, y: top, w: pw, h: ph } };
}

/**
 * Figure 5: CC and KL of each augmented model's maps against the baseline's (mean ± sd over query
 * images); the dashed line and grey band are the seed noise floor ± its sd.
 */
export function renderFigure5Svg(
  metrics: readonly MetricRow[],
  noiseFloor: NoiseFloor | null,
  opts: MetricSvgOptions = {},
): string {
  const base = opts.baselineSet ?? BASELINE_SET;
  const rows = sortBySet(metrics).filter((r) => r.set !== base);
  const styles = stylesFor(rows.map((r) => r.set));
  const { W, H, fa, fb } = twoPanels();
  const cc = metricInfo("cc");
  const kl = metricInfo("kl");
  const body =
    (noiseFloor
      ? legend(W / 2, 22, [
          {
            label: `noise floor: ${setLabel(base)} retrained (${noiseFloor?.set ?? "another seed"}) vs ${setLabel(base)} (± sd)`,
            style: { color: INK, marker: "circle", dash: "" },
            kind: "band",
          },
        ])
      : text(W / 2, 26, "no second-seed baseline: no noise floor", `text-anchor="middle" fill="${MUTED}"`)) +
    barPanel(fa, metricBars(rows, cc, styles), {
      title: "(a) Correlation with the baseline (CC)",
      note: "higher = more alike",
      yTitle: "CC",
      band: noiseBand(cc, noiseFloor, undefined),
      digits: 2,
    }) +
    barPanel(fb, metricBars(rows, kl, styles), {
      title: "(b) KL divergence (KL)",
      note: "lower = more alike",
      yTitle: "KL",
      band: noiseBand(kl, noiseFloor, undefined),
      digits: 2,
    });
  return svgDoc(
    W,
    H,
    body,
    "Figure 5: CC and KL against the baseline saliency maps",
    `CC and KL per augmented model against ${setLabel(base)}, with the seed noise floor.`,
    opts.standalone ?? true,
  );
}
