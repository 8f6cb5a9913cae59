// The sweep's report page (merged/sweep.html) and its Vega-Lite specs (merged/*.vl.json): the
// dose-response small multiples with the floor as a band, and the accuracy-vs-saliency scatter. The
// specs are plain objects with their data inline, so any Vega-Lite runtime draws them; the page embeds
// them as JSON and, until it is switched to the report's runtime (src/report/charts/), draws the same
// curves as small static SVG of its own, so it is self-contained and readable offline.
import type { Grid } from "./grid.js";
import type { AgreeRow, CorrRow, DoseRow, MonoRow, PointRow } from "./merge.js";
import type { SweepRecord } from "./run.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const LABELS: Record<string, string> = {
  cc: "CC",
  kl: "KL",
  sim: "SIM",
  spearman: "Spearman",
  entropySpatial: "H spatial",
  entropyHist: "H hist",
  testAcc: "test accuracy",
};

const finite = (x: number | null) => (x !== null && Number.isFinite(x) ? x : null);

/** Dose-response: rows = metric, columns = augmentation; mean line, t-interval band, floor band. */
export function doseResponseSpec(dose: readonly DoseRow[]): Record<string, unknown> {
  const values = dose
    .filter((r) => ["cc", "kl", "sim", "spearman", "testAcc"].includes(r.metric))
    .map((r) => ({
      dataset: r.dataset,
      aug: r.aug,
      strength: r.strength,
      method: r.method,
      metric: LABELS[r.metric],
      mean: finite(r.mean),
      lo: finite(r.lo),
      hi: finite(r.hi),
      floorLo: finite(r.floorLo),
      floorHi: finite(r.floorHi),
    }));
  return {
    $schema: SCHEMA,
    description:
      "Dose-response: each metric against augmentation strength (mean over seeds, 95% t-interval; grey: the floor's band)",
    data: { values },
    facet: {
      row: { field: "metric", type: "nominal", title: null },
      column: { field: "aug", type: "nominal", title: null },
    },
    spec: {
      width: 160,
      height: 110,
      layer: [
        {
          mark: { type: "area", color: "#bbb", opacity: 0.35 },
          encoding: {
            x: { field: "strength", type: "quantitative" },
            y: { field: "floorLo", type: "quantitative", title: null },
            y2: { field: "floorHi" },
          },
        },
        {
          mark: { type: "errorband", opacity: 0.25 },
          encoding: {
            x: { field: "strength", type: "quantitative" },
            y: { field: "lo", type: "quantitative", title: null },
            y2: { field: "hi" },
            color: { field: "method", type: "nominal" },
          },
        },
        {
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "strength", type: "quantitative" },
            y: { field: "mean", type: "quantitative", title: null, scale: { zero: false } },
            color: { field: "method", type: "nominal" },
          },
        },
      ],
    },
    resolve: { scale: { x: "independent", y: "independent" } },
  };
}

/** Accuracy vs saliency: every grid point (seed × strength × augmentation), test accuracy against CC. */
export function scatterSpec(points: readonly PointRow[]): Record<string, unknown> {
  const wide = new Map<string, Record<string, unknown>>();
  for (const r of points) {
    const k = `${r.dataset}|${r.aug}|${r.strength}|${r.seed}|${r.method}`;
    if (!wide.has(k))
      wide.set(k, { dataset: r.dataset, aug: r.aug, strength: r.strength, seed: r.seed, method: r.method });
    wide.get(k)![r.metric] = finite(r.value);
  }
  return {
    $schema: SCHEMA,
    description: "Test accuracy against CC with Orig of the same seed, every grid point",
    data: { values: [...wide.values()] },
    facet: { column: { field: "method", type: "nominal", title: null } },
    spec: {
      width: 260,
      height: 220,
      mark: { type: "point", filled: true },
      encoding: {
        x: { field: "testAcc", type: "quantitative", title: "test accuracy", scale: { zero: false } },
        y: { field: "cc", type: "quantitative", title: "CC with Orig" },
        color: { field: "aug", type: "nominal", title: "augmentation" },
        size: { field: "strength", type: "quantitative" },
        tooltip: [{ field: "aug" }, { field: "strength" }, { field: "seed" }, { field: "testAcc" }, { field: "cc" }],
      },
    },
  };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const f = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? "–" : x.toFixed(d));

/** One small static chart: mean over strength with its interval and the floor band. */
function miniChart(rows: DoseRow[]): string {
  const W = 220;
  const H = 120;
  const P = 28;
  const xs = rows.map((r) => r.strength);
  const ys = rows
    .flatMap((r) => [r.lo, r.hi, r.mean, r.floorLo ?? NaN, r.floorHi ?? NaN])
    .filter((v) => Number.isFinite(v));
  if (!ys.length) return "";
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const X = (x: number) => P + (x1 === x0 ? (W - 2 * P) / 2 : ((x - x0) / (x1 - x0)) * (W - 2 * P));
  const Y = (y: number) => H - P + 8 - ((y - y0) / (y1 - y0)) * (H - P - 8);
  const parts: string[] = [];
  const r0 = rows[0];
  if (finite(r0.floorLo) !== null && finite(r0.floorHi) !== null)
    parts.push(
      `<rect x="${P}" y="${Y(r0.floorHi!).toFixed(1)}" width="${W - 2 * P}" height="${Math.max(1, Y(r0.floorLo!) - Y(r0.floorHi!)).toFixed(1)}" fill="#999" opacity="0.25"/>`,
    );
  for (const r of rows)
    if (Number.isFinite(r.lo) && Number.isFinite(r.hi))
      parts.push(
        `<line x1="${X(r.strength).toFixed(1)}" x2="${X(r.strength).toFixed(1)}" y1="${Y(r.lo).toFixed(1)}" y2="${Y(r.hi).toFixed(1)}" stroke="#4c78a8"/>`,
      );
  const pts = rows
    .filter((r) => Number.isFinite(r.mean))
    .map((r) => `${X(r.strength).toFixed(1)},${Y(r.mean).toFixed(1)}`);
  parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="#4c78a8" stroke-width="2"/>`);
  for (const p of pts) parts.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="2.5" fill="#4c78a8"/>`);
  parts.push(
    `<text x="2" y="${Y(y1) + 4}" font-size="9">${f(y1)}</text><text x="2" y="${Y(y0)}" font-size="9">${f(y0)}</text>`,
  );
  for (const r of rows) parts.push(`<text x="${X(r.strength) - 6}" y="${H - 4}" font-size="9">${r.strength}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img">${parts.join("")}</svg>`;
}

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
  doseSpec: Record<string, unknown>;
  scatter: Record<string, unknown>;
}

/** The self-contained sweep page (no date, no path: the same bytes from the same results). */
export function sweepPage(x: SweepPageInput): string {
  const method = x.grid.methods[0];
  const charts: string[] = [];
  for (const dataset of x.grid.datasets) {
    for (const metric of ["cc", "kl", "testAcc"]) {
      const cells = Object.keys(x.grid.strengths).map((aug) => {
        const rows = x.dose.filter(
          (r) => r.dataset === dataset && r.aug === aug && r.method === method && r.metric === metric,
        );
        return `<figure><figcaption>${esc(aug)}</figcaption>${miniChart(rows)}</figure>`;
      });
      charts.push(
        `<h3>${esc(dataset)}: ${esc(LABELS[metric])} (${esc(method)})</h3><div class="row">${cells.join("")}</div>`,
      );
    }
  }
  const study = Object.entries(x.grid.study)
    .map(([k, v]) => `--${k}${v === true ? "" : ` ${v}`}`)
    .join(" ");
  const json = (o: unknown) => JSON.stringify(o).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>augsal sweep</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
.row{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}figcaption{font-size:12px}pre{background:#f5f5f5;padding:.6em;overflow:auto}
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
<h2>Dose-response</h2>${charts.join("\n")}
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
agreement.csv (and .json); Vega-Lite specs: dose-response.vl.json, accuracy-saliency.vl.json (embedded below).</p>
<script type="application/vnd.vegalite+json" id="spec-dose-response">${json(x.doseSpec)}</script>
<script type="application/vnd.vegalite+json" id="spec-accuracy-saliency">${json(x.scatter)}</script>
</body></html>
`;
}
