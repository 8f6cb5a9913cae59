// The sweep's report page (merged/sweep.html) and its charts: the dose-response small multiples with the
// floor as a band, and the accuracy-vs-saliency scatter. Each chart is a Vega-Lite spec built with the
// report's style (src/report/charts/style.ts: fonts, axes, the Okabe–Ito colours and markers of the
// augmentations), written as merged/<name>.vl.json (data inline: the Vega editor or Altair open it) and
// drawn once in Node as static SVG (src/report/charts/render.ts), which the page inlines: the page is one
// offline file that reads without scripts and prints, and the same results give the same bytes.
import { frame, modelEncodings, modelLabel, modelScales, r6, type Spec } from "../report/charts/style.js";
import type { Grid } from "./grid.js";
import type { AgreeRow, CorrRow, DoseRow, MonoRow, PointRow } from "./rows.js";
import type { SweepRecord } from "./run.js";

const LABELS: Record<string, string> = {
  cc: "CC",
  kl: "KL",
  sim: "SIM",
  spearman: "Spearman",
  entropySpatial: "H spatial",
  entropyHist: "H hist",
  testAcc: "test accuracy",
};
/** The dose-response rows: the metrics of the poster's comparison and the accuracy. */
const DOSE_METRICS = ["cc", "kl", "spearman", "testAcc"];
/** Okabe–Ito blue. */
const BLUE = "#0072B2";

/**
 * Dose-response of the grid's first attribution method (the tables have every method): one row of cells
 * per dataset and metric, one column per augmentation; in each cell the mean over seeds against strength
 * (line and points), its 95% t-interval (blue band) and the floor's 95% t-interval (grey band). Every
 * cell has its own scales: the strengths of the augmentations are in different units.
 */
export function doseResponseSpec(
  dose: readonly DoseRow[],
  grid: Pick<Grid, "datasets" | "strengths" | "methods">,
): Spec {
  const method = grid.methods[0];
  const augs = Object.keys(grid.strengths);
  const rowName = (dataset: string, metric: string) =>
    grid.datasets.length > 1 ? `${dataset} · ${LABELS[metric]}` : LABELS[metric];
  const rows = grid.datasets.flatMap((d) => DOSE_METRICS.map((m) => rowName(d, m)));
  const values = dose
    .filter((r) => r.method === method && DOSE_METRICS.includes(r.metric))
    .map((r) => ({
      row: rowName(r.dataset, r.metric),
      aug: modelLabel(r.aug),
      strength: r.strength,
      method: r.method,
      mean: r6(r.mean),
      lo: r6(r.lo),
      hi: r6(r.hi),
      floorLo: r6(r.floorLo),
      floorHi: r6(r.floorHi),
    }));
  const x = { field: "strength", type: "quantitative", title: null, axis: { tickCount: 4 } };
  return frame(
    {
      text: "Dose-response: each metric against augmentation strength",
      subtitle: `${method} maps; mean over seeds with its 95% t-interval; grey: the floor's 95% t-interval (Orig, same seed)`,
    },
    "Each metric against augmentation strength per augmentation: mean over seeds, 95% t-interval, floor band.",
    { kind: "wrap", minCell: 130, extra: 90, cells: augs.length },
    {
      data: { values },
      facet: {
        row: { field: "row", type: "nominal", title: null, sort: rows, header: { labelAngle: 0, labelAlign: "left" } },
        column: { field: "aug", type: "nominal", title: null, sort: augs.map(modelLabel) },
      },
      spec: {
        width: 150,
        height: 95,
        layer: [
          {
            mark: { type: "area", color: "#9aa0a6", opacity: 0.28 },
            encoding: { x, y: { field: "floorLo", type: "quantitative", title: null }, y2: { field: "floorHi" } },
          },
          {
            mark: { type: "area", color: BLUE, opacity: 0.22 },
            encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
          },
          {
            mark: { type: "line", color: BLUE, point: { color: BLUE } },
            encoding: {
              x,
              y: { field: "mean", type: "quantitative", scale: { zero: false } },
              tooltip: [
                { field: "aug" },
                { field: "strength" },
                { field: "method" },
                { field: "mean", format: ".4f" },
                { field: "lo", format: ".4f" },
                { field: "hi", format: ".4f" },
              ],
            },
          },
        ],
      },
      resolve: { scale: { x: "independent", y: "independent" } },
    },
  );
}

/** Accuracy vs saliency: every grid point (seed × strength × augmentation), test accuracy against CC,
 *  one panel per method; colour and marker per augmentation (the report's), size by strength rank. */
export function scatterSpec(points: readonly PointRow[], grid: Pick<Grid, "strengths">): Spec {
  const wide = new Map<string, Spec>();
  for (const r of points) {
    const k = `${r.dataset}|${r.aug}|${r.strength}|${r.seed}|${r.method}`;
    if (!wide.has(k)) {
      const list = (grid.strengths as Record<string, number[] | undefined>)[r.aug] ?? [r.strength];
      wide.set(k, {
        dataset: r.dataset,
        model: modelLabel(r.aug),
        strength: r.strength,
        level: list.indexOf(r.strength) + 1,
        seed: r.seed,
        method: r.method,
      });
    }
    wide.get(k)![r.metric] = r6(r.value);
  }
  const enc = modelEncodings(modelScales(Object.keys(grid.strengths)), { title: null });
  return frame(
    {
      text: "Accuracy against saliency change, every grid point",
      subtitle: "test accuracy and CC with Orig of the same seed; larger marks: stronger augmentation",
    },
    "Test accuracy against CC with Orig of the same seed, every grid point.",
    { kind: "wrap", minCell: 220, extra: 120 },
    {
      data: { values: [...wide.values()] },
      facet: { column: { field: "method", type: "nominal", title: null } },
      spec: {
        width: 240,
        height: 200,
        mark: { type: "point", filled: true, opacity: 0.8 },
        encoding: {
          x: { field: "testAcc", type: "quantitative", title: "test accuracy", scale: { zero: false } },
          y: { field: "cc", type: "quantitative", title: "CC with Orig", scale: { zero: false } },
          color: enc.color,
          shape: enc.shape,
          size: { field: "level", type: "ordinal", title: "strength (rank)", scale: { range: [25, 160] } },
          tooltip: [
            { field: "dataset" },
            { field: "model", title: "augmentation" },
            { field: "strength" },
            { field: "seed" },
            { field: "testAcc", format: ".4f" },
            { field: "cc", format: ".4f" },
          ],
        },
      },
    },
  );
}

/** A chart as an SVG element to inline in HTML (the standalone document without its XML declaration). */
export function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, "").trim();
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const f = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? "–" : x.toFixed(d));

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

export interface SweepPageInput {
  grid: Grid;
  rec: SweepRecord;
  jobs: number;
  points: number;
  findings: string;
  dose: DoseRow[];
  mono: MonoRow[];
  corr: CorrRow[];
  agree: AgreeRow[];
  /** The charts as standalone SVG documents (chartSvg of doseResponseSpec and scatterSpec). */
  doseSvg: string;
  scatterSvg: string;
}

/** The self-contained sweep page (no date, no path: the same bytes from the same results). */
export function sweepPage(x: SweepPageInput): string {
  const study = Object.entries(x.grid.study)
    .map(([k, v]) => `--${k}${v === true ? "" : ` ${v}`}`)
    .join(" ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>augsal sweep</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
figure.chart{margin:.5em 0;overflow-x:auto}figure.chart svg{max-width:none;height:auto}pre{background:#f5f5f5;padding:.6em;overflow:auto}
@media (prefers-color-scheme: dark){body{background:#111;color:#ddd}pre{background:#222}td,th{border-color:#444}}</style></head>
<body>
<h1>Sweep: augmentation strength × seed${x.grid.datasets.length > 1 ? " × dataset" : ""}</h1>
<p>augsal ${esc(x.rec.augsal)}, core ${esc(x.rec.wasmSha256.slice(0, 12))}…; ${x.jobs} training jobs, ${x.points} grid points:
datasets ${esc(x.grid.datasets.join(", "))}; seeds ${esc(x.grid.seeds.join(", "))}; methods ${esc(x.grid.methods.join(", "))};
strengths ${esc(
    Object.entries(x.grid.strengths)
      .map(([a, s]) => `${a} ${s.join("/")}`)
      .join("; "),
  )}; fixed: ${esc(study || "the defaults")}.
Every metric compares a model's saliency maps of the query images with those of Orig of the same seed (mean over queries);
curves are means over seeds with 95% t-intervals, the grey band the ${esc(x.dose[0]?.floor ?? "floor")} floor's (same seed, Orig retrained
with another data order) 95% t-interval.</p>
<h2>Findings</h2><pre>${esc(x.findings)}</pre>
<h2>Dose-response</h2>
<figure class="chart">${inlineSvg(x.doseSvg)}</figure>
<h2>Monotonicity in strength</h2>
<p>Spearman's rho of the metric against strength over every (strength, seed) point, two-sided permutation p with strengths permuted within each seed.</p>
${table(
  ["dataset", "aug", "method", "metric", "n", "rho", "p", "means"],
  x.mono.map((r) => [
    r.dataset,
    r.aug,
    r.method,
    LABELS[r.metric] ?? r.metric,
    String(r.n),
    f(r.rho),
    f(r.p, 4),
    r.means,
  ]),
)}
<h2>Accuracy vs saliency over the grid</h2>
<figure class="chart">${inlineSvg(x.scatterSvg)}</figure>
<p>Spearman's rho between test accuracy and each map metric over every grid point; permutation p within seed; 95% percentile bootstrap over seeds.</p>
${table(
  ["dataset", "method", "metric", "n", "rho", "p", "95% lo", "95% hi"],
  x.corr.map((r) => [
    r.dataset,
    r.method,
    LABELS[r.metric] ?? r.metric,
    String(r.n),
    f(r.rho),
    f(r.p, 4),
    f(r.lo),
    f(r.hi),
  ]),
)}
${
  x.agree.length
    ? `<h2>Agreement between methods</h2>${table(
        ["dataset", "metric", "A", "B", "n", "rho", "p"],
        x.agree.map((r) => [r.dataset, r.metric, r.methodA, r.methodB, String(r.n), f(r.rho), f(r.p, 4)]),
      )}`
    : ""
}
<p>Tables: points.csv (grid point × method × metric), controls.csv, dose-response.csv, monotonicity.csv, correlation.csv,
agreement.csv (and .json); charts: dose-response.svg and accuracy-saliency.svg, with their Vega-Lite specs (data inline)
dose-response.vl.json and accuracy-saliency.vl.json.</p>
</body></html>
`;
}
