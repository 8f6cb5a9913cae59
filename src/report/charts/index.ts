// Every chart of the report as a Vega-Lite spec over the tidy rows the study computes: one module per
// family (training, metrics, stats, trust; dots.ts is the shared dot chart), pure functions from data
// to spec. render.ts draws them to static SVG in Node (figures/*.svg); runtime.ts puts them in the
// page (vega-embed); figures/*.vl.json keeps each spec with its data, to restyle in the Vega editor
// or Altair.
import type { ReportInput } from "../types.js";
import { BASELINE_SET } from "../types.js";
import { fixed } from "../format.js";
import { entropyChart, similarityChart } from "./metrics.js";
import { claimChart, pairedChart } from "./stats.js";
import { curvesChart, equivarianceChart, faithfulnessChart, localisationChart, sanityChart } from "./trust.js";
import { trainingChart } from "./training.js";
import type { Chart } from "./runtime.js";

export type { Chart } from "./runtime.js";
export type { Spec } from "./style.js";
export { chartHtml, chartFigureHtml, vegaRuntimeHtml, specJson } from "./runtime.js";
export { chartSvg, chartSvgAsync, compileChart } from "./render.js";
export { trainingChart, trainingRows } from "./training.js";
export { entropyChart, similarityChart, maxSpatialEntropy } from "./metrics.js";
export { pairedChart, claimChart } from "./stats.js";
export { sanityChart, localisationChart, faithfulnessChart, curvesChart, equivarianceChart } from "./trust.js";
export { dotChart } from "./dots.js";
export { modelScales, modelLabel } from "./style.js";

/** Friedman's test of each entropy across the models (the first method's), as caption lines. */
export function friedmanLines(input: ReportInput): string[] {
  const ev = input.stats?.claims.entropyVariation ?? [];
  const method = input.stats?.design.methods[0];
  const p = (x: number) => (x < 0.0001 ? x.toExponential(1) : x.toFixed(4));
  return ev
    .filter((e) => (e as { method?: string }).method === undefined || (e as { method?: string }).method === method)
    .map(
      (e) =>
        `Friedman ${e.metric === "entropySpatial" ? "spatial" : "histogram"} entropy across ${e.treatments.length} ` +
        `models (${e.blocks} blocks): χ² = ${fixed(e.statistic, 2)}, df = ${e.df}, p = ${p(e.p)}`,
    );
}

/** The report's charts in page order; the stats and trust charts only when their data is there. */
export function reportCharts(input: ReportInput): Chart[] {
  const base = input.baselineSet ?? BASELINE_SET;
  const m = { metrics: input.metrics, noiseFloor: input.noiseFloor, baselineSet: base };
  const charts: Chart[] = [
    { name: "figure2", spec: trainingChart({ histories: input.histories, table1: input.table1 }) },
    { name: "figure3", spec: entropyChart(m, { pixels: input.mapPixels, friedman: friedmanLines(input) }) },
    { name: "figure5", spec: similarityChart(m) },
  ];
  const add = (name: string, spec: Chart["spec"] | null) => {
    if (spec) charts.push({ name, spec });
  };
  if (input.stats) {
    add("paired-cc", pairedChart(input.stats, "cc"));
    add("paired-kl", pairedChart(input.stats, "kl"));
    add("accuracy-vs-saliency", claimChart(input.stats));
  }
  if (input.explain?.trust) {
    add("trust-sanity", sanityChart(input.explain));
    add("trust-localisation", localisationChart(input.explain));
    add("trust-faithfulness", faithfulnessChart(input.explain));
    add("trust-curves", curvesChart(input.explain, input.faithfulnessCurves));
    add("trust-equivariance", equivarianceChart(input.explain));
  }
  return charts;
}

/** figures/<name>.svg and figures/<name>.vl.json of every chart. */
export function chartFiles(charts: readonly Chart[], svg: (spec: Chart["spec"]) => string) {
  return charts.flatMap((c) => [
    { path: `figures/${c.name}.svg`, data: svg(c.spec) },
    { path: `figures/${c.name}.vl.json`, data: JSON.stringify(c.spec, null, 2) + "\n" },
  ]);
}
