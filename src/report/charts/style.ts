// What every chart of the report shares: the models' colours, markers and dashes as Vega-Lite scales,
// the fonts and axis styling as a Vega-Lite config, and the spec's outer frame. Plain objects in a
// fixed key order, so a spec written with JSON.stringify is byte-stable.
//
// Colours: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), which stays
// distinguishable under the common colour-vision deficiencies; every model also has its own marker
// (shape channel) and dash pattern, so the charts still read in greyscale (src/report/svg.ts).
import { stylesFor, type MarkerKind } from "../svg.js";
import { setLabel, sortBySet } from "../types.js";

/** A Vega-Lite spec (or part of one) as plain JSON; vega-lite's compile() checks it (test/report/charts). */
export type Spec = { [key: string]: unknown };

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
export const INK = "#1d1d1f";
export const MUTED = "#5f6368";

/** Display label of a model: the six sets, the Repeat control and the two floors of Orig. */
export function modelLabel(set: string): string {
  if (set === "repeat") return "Repeat";
  if (set === "reorder") return "Orig reordered";
  if (set === "retrain") return "Orig retrained";
  if (set === "random") return "random order";
  return setLabel(set);
}

/** Vega symbol shapes of our markers (filled; the X and the star as SVG paths in unit coordinates). */
const SHAPES: Record<MarkerKind, string> = {
  circle: "circle",
  square: "square",
  triangle: "triangle-up",
  diamond: "diamond",
  triangleDown: "triangle-down",
  cross: "M-1,-0.6L-0.6,-1L0,-0.4L0.6,-1L1,-0.6L0.4,0L1,0.6L0.6,1L0,0.4L-0.6,1L-1,0.6L-0.4,0Z",
  plus: "cross",
  star: "M0,-1L0.24,-0.33L0.95,-0.31L0.38,0.12L0.59,0.81L0,0.4L-0.59,0.81L-0.38,0.12L-0.95,-0.31L-0.24,-0.33Z",
};

/** SVG dash pattern "7 3" as Vega's [7, 3]; solid is []. */
function dashArray(dash: string): number[] {
  return dash ? dash.split(/\s+/).map(Number) : [];
}

/** The models in the report's order (SET_ORDER, then the others as given), without duplicates. */
export function orderedSets(sets: readonly string[]): string[] {
  return sortBySet([...new Set(sets)].map((set) => ({ set }))).map((x) => x.set);
}

export interface ModelScales {
  /** Labels in order, the scales' domain. */
  domain: string[];
  colors: string[];
  shapes: string[];
  dashes: number[][];
}

/** Colour, shape and dash of each model, keyed by its display label (the field "model" of the rows). */
export function modelScales(sets: readonly string[]): ModelScales {
  const order = orderedSets(sets);
  const styles = stylesFor(order);
  return {
    domain: order.map(modelLabel),
    colors: styles.map((s) => s.color),
    shapes: styles.map((s) => SHAPES[s.marker]),
    dashes: styles.map((s) => dashArray(s.dash)),
  };
}

/** Encodings of colour, shape and dash for the field "model". The three carry the same legend, which
 *  Vega-Lite merges into one (coloured markers); legend false: none of them has one. */
export function modelEncodings(sc: ModelScales, legend: boolean | Spec = true) {
  const leg =
    legend === false
      ? null
      : { title: null, orient: "top", direction: "horizontal", symbolOpacity: 1, ...(legend === true ? {} : legend) };
  const channel = (range: unknown[]) => ({
    field: "model",
    type: "nominal",
    sort: sc.domain,
    scale: { domain: sc.domain, range },
    legend: leg,
  });
  return { color: channel(sc.colors), shape: channel(sc.shapes), strokeDash: channel(sc.dashes) };
}

/** The shared look: fonts, axes, legends, titles (close to the page's sans-serif and greys). */
export function baseConfig(): Spec {
  return {
    font: FONT,
    background: "#ffffff",
    view: { stroke: null },
    axis: {
      labelFontSize: 12,
      titleFontSize: 12.5,
      titleFontWeight: 500,
      labelColor: MUTED,
      titleColor: INK,
      gridColor: "#e4e6ea",
      domainColor: "#9aa0a6",
      tickColor: "#9aa0a6",
    },
    legend: { labelFontSize: 12.5, labelColor: INK, titleFontSize: 12.5, symbolSize: 90, columnPadding: 14 },
    header: { labelFontSize: 12.5, labelColor: INK, titleFontSize: 12.5 },
    title: { fontSize: 14, fontWeight: 600, color: INK, anchor: "start", subtitleColor: MUTED, subtitleFontSize: 12 },
    point: { size: 70, filled: true },
    line: { strokeWidth: 1.9 },
  };
}

/** How the page fits a chart to its column (src/report/charts/runtime.ts reads it from usermeta). */
export interface Fit {
  /** single/layer: width "container"; wrap: a facet or concat whose cells wrap into columns. */
  kind: "single" | "wrap";
  /** Narrowest cell before a column is dropped (wrap), px. */
  minCell?: number;
  /** Width outside the cells (axis labels, legend, gaps), px. */
  extra?: number;
  /** Cells (facet values or concat parts). */
  cells?: number;
}

/** The outer frame of every spec: schema, title, description, config and the fitting hint, in that order. */
export function frame(title: string | Spec, description: string, fit: Fit, body: Spec): Spec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    description,
    ...body,
    config: baseConfig(),
    usermeta: { augsal: { fit } },
  };
}

/** A finite number or null (JSON has no NaN; Vega-Lite skips nulls). */
export function finite(x: number | null | undefined): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

/** Rounds for the spec's data: 6 significant digits keep the bytes short and the charts exact enough. */
export function r6(x: number | null | undefined): number | null {
  const v = finite(x);
  return v === null ? null : Number(v.toPrecision(6));
}
