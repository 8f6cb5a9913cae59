// Dot charts: one row per category (a model, a method or an augmentation), a marker per model with
// its interval as a bar, reference bands and rules (the seed noise floor, a maximum, a uniform map).
// The x axis fits the data (never forced to 0 unless asked), so small differences stay visible. Used
// by Figures 3 and 5 (metrics.ts) and the trust figures (trust.ts).
import { frame, modelEncodings, modelLabel, modelScales, r6, type Fit, type Spec } from "./style.js";

export interface DotRow {
  /** Row of the chart; the model's label when each model is its own row. */
  cat: string;
  /** Set id of the model (colour, marker). */
  set: string;
  value: number;
  /** Interval drawn as a bar (e.g. mean ± sd). */
  lo?: number;
  hi?: number;
  /** Filter value of a selector (e.g. the attribution method). */
  group?: string;
}

export interface DotRef {
  /** band: a grey band lo..hi; rule: a dashed line; limit: a solid line (a bound the data cannot pass). */
  kind: "band" | "rule" | "limit";
  value?: number;
  lo?: number;
  hi?: number;
  label: string;
}

export interface DotPanel {
  title: string;
  xTitle: string;
  rows: DotRow[];
  refs?: DotRef[];
  /** Start the x axis at 0 (default: fit the data and references). */
  zero?: boolean;
  /** The rows' order (default: order of first appearance). */
  categories?: string[];
  /** How the interval is named in the tooltip (default "± sd"). */
  interval?: string;
  /** Tooltip number format (default ".3f"). */
  format?: string;
}

export interface DotChartOptions {
  title: string;
  description: string;
  /** A selector over rows' group (e.g. the method), shown as a drop-down in the page. */
  selector?: { name: string; label: string; options: string[]; labels?: string[]; value?: string };
  width?: number;
  /** Height of one row, px. */
  rowHeight?: number;
}

/** A chart of one or more dot panels side by side (wrapping in the page when the column is narrow). */
export function dotChart(panels: readonly DotPanel[], sets: readonly string[], opts: DotChartOptions): Spec {
  const sc = modelScales(sets);

  const rowsData: Spec[] = [];
  const refsData: Spec[] = [];
  panels.forEach((p, k) => {
    for (const r of p.rows) {
      rowsData.push({
        panel: k,
        cat: r.cat,
        model: modelLabel(r.set),
        ...(r.group !== undefined ? { group: r.group } : {}),
        value: r6(r.value),
        lo: r6(r.lo),
        hi: r6(r.hi),
      });
    }
    for (const f of p.refs ?? [])
      refsData.push({ panel: k, kind: f.kind, value: r6(f.value), lo: r6(f.lo), hi: r6(f.hi), label: f.label });
  });
  // Rows of categories other than the models: the models side by side in each row (yOffset), with a legend.
  const perModel = panels.some((p) => p.rows.some((r) => modelLabel(r.set) !== r.cat));
  const enc = modelEncodings(sc, perModel);
  const width = opts.width ?? (panels.length > 1 ? 330 : 640);
  const rowH = opts.rowHeight ?? (perModel ? 30 : 24);
  const sel = opts.selector;
  const selFilter = sel ? [{ filter: `datum.group == ${sel.name}` }] : [];
  const specs = panels.map((p, k) => {
    const cats = p.categories ?? [...new Set(p.rows.map((r) => r.cat))];
    const y = { field: "cat", type: "nominal", sort: cats, title: null, axis: { labelLimit: 160 } };
    const x = {
      field: "value",
      type: "quantitative",
      title: p.xTitle,
      scale: { zero: p.zero ?? false, nice: true },
      // labels that would come closer than 6 px are thinned (Figure 3's "6.20" and "6.25" touched)
      axis: { labelOverlap: true, labelSeparation: 6 },
    };
    const refs = (kind: string) => ({
      data: { name: "refs" },
      transform: [{ filter: `datum.panel == ${k} && datum.kind == '${kind}'` }],
    });
    const layers: Spec[] = [];
    const has = (kind: DotRef["kind"]) => (p.refs ?? []).some((f) => f.kind === kind);
    if (has("band"))
      layers.push({
        ...refs("band"),
        mark: { type: "rect", color: "#5f6368", opacity: 0.13 },
        encoding: {
          x: { field: "lo", type: "quantitative" },
          x2: { field: "hi" },
          tooltip: [
            { field: "label", title: "band" },
            { field: "lo", format: ".3f" },
            { field: "hi", format: ".3f" },
          ],
        },
      });
    for (const kind of ["rule", "limit"] as const) {
      if (!has(kind)) continue;
      layers.push({
        ...refs(kind),
        mark: {
          type: "rule",
          color: kind === "rule" ? "#1d1d1f" : "#8c8c8c",
          strokeWidth: 1.5,
          ...(kind === "rule" ? { strokeDash: [5, 3] } : {}),
        },
        encoding: {
          x: { field: "value", type: "quantitative" },
          tooltip: [
            { field: "label", title: "line" },
            { field: "value", format: ".3f" },
          ],
        },
      });
      layers.push({
        ...refs(kind),
        mark: {
          type: "text",
          align: "right",
          baseline: "bottom",
          dx: -4,
          dy: -3,
          y: { expr: "height" },
          fontSize: 11,
          color: "#5f6368",
        },
        encoding: { x: { field: "value", type: "quantitative" }, text: { field: "label" } },
      });
    }
    const fmt = p.format ?? ".3f";
    const rowLayer = (body: Spec) => ({
      data: { name: "rows" },
      transform: [{ filter: `datum.panel == ${k}` }, ...selFilter],
      ...body,
    });
    const yOff = perModel ? { yOffset: { field: "model", type: "nominal", sort: sc.domain } } : {};
    layers.push(
      rowLayer({
        mark: { type: "rule", strokeWidth: 1.6 },
        encoding: {
          y,
          ...yOff,
          x: { field: "lo", type: "quantitative" },
          x2: { field: "hi" },
          color: enc.color,
        },
      }),
    );
    layers.push(
      rowLayer({
        mark: { type: "point", size: 80, filled: true, stroke: "#ffffff", strokeWidth: 0.8 },
        encoding: {
          y,
          ...yOff,
          x,
          color: enc.color,
          shape: enc.shape,
          tooltip: [
            { field: "model", title: "model" },
            ...(perModel ? [{ field: "cat", title: "row" }] : []),
            { field: "value", title: p.xTitle, format: fmt },
            { field: "lo", title: `${p.interval ?? "± sd"}: low`, format: fmt },
            { field: "hi", title: `${p.interval ?? "± sd"}: high`, format: fmt },
          ],
        },
      }),
    );
    return {
      width,
      height: cats.length * (perModel ? Math.max(rowH, sc.domain.length * 8 + 10) : rowH),
      title: p.title,
      layer: layers,
    };
  });
  // Outside each cell: the row labels (about 6.6 px a character at 12 px), the axis and the gap.
  const longest = Math.max(4, ...panels.flatMap((p) => p.rows.map((r) => r.cat.length)));
  const fit: Fit =
    panels.length > 1
      ? { kind: "wrap", minCell: 220, extra: Math.ceil(longest * 6.6) + 70, cells: panels.length }
      : { kind: "single" };
  const body: Spec = {
    datasets: { rows: rowsData, refs: refsData },
    ...(sel
      ? {
          params: [
            {
              name: sel.name,
              value: sel.value ?? sel.options[0],
              bind: {
                input: "select",
                options: sel.options,
                ...(sel.labels ? { labels: sel.labels } : {}),
                name: `${sel.label} `,
              },
            },
          ],
        }
      : {}),
  };
  if (specs.length === 1) return frame(opts.title, opts.description, fit, { ...body, ...specs[0] });
  return frame(opts.title, opts.description, fit, {
    ...body,
    columns: specs.length,
    concat: specs,
    resolve: { scale: { y: "independent" } },
  });
}
