// The report stage: plain results in, files out. renderAll gives every file with its path relative to
// the run's report folder; the pipeline writes them (atomically) and nothing here touches the disk.
import { renderReportHtml } from "./html.js";
import { chartFiles, chartSvg, reportCharts } from "./charts/index.js";
import { metricsCsv, metricsMarkdown, table1Csv, table1Markdown } from "./tables.js";
import type { ReportFile, ReportInput } from "./types.js";

export * from "./types.js";
export { viridis, viridisHex, VIRIDIS_LUT, VIRIDIS_DATA } from "../colormap.js";
export { createCanvas, encodePng, blitGrey, blitColormap, type Canvas } from "./png.js";
export {
  figure1Svg,
  figure4Svg,
  figure4PanelSvg,
  captumThreshold,
  figure1Layout,
  figure4Layout,
  type Figure1Row,
  type Figure1Options,
  type Figure4Input,
} from "./figures.js";
export { OKABE_ITO, setStyle } from "./svg.js";
export * as charts from "./charts/index.js";
export { table1Markdown, table1Csv, metricsMarkdown, metricsCsv } from "./tables.js";
export { judgeMetric, noiseBand, METRICS } from "./verdict.js";
export { renderReportHtml } from "./html.js";

/**
 * Every report file: table1.md, table1.csv, metrics.md, metrics.csv, every chart as a static SVG and its
 * Vega-Lite spec (figures/<name>.svg and figures/<name>.vl.json: figure2, figure3, figure5, and with the
 * study's tests and trust tables paired-cc, paired-kl, accuracy-vs-saliency, trust-sanity,
 * trust-localisation, trust-faithfulness, trust-curves (with the curves), trust-equivariance), and
 * report.html. The image figures (Figures 1 and 4, SVG and PNG) are written by the caller
 * (study/report-input.ts), which renders the PNGs asynchronously.
 */
export function renderAll(input: ReportInput): { files: ReportFile[] } {
  const base = input.baselineSet;
  const files: ReportFile[] = [
    { path: "table1.md", data: table1Markdown(input.table1) },
    { path: "table1.csv", data: table1Csv(input.table1) },
    { path: "metrics.md", data: metricsMarkdown(input.metrics, input.noiseFloor, base) },
    { path: "metrics.csv", data: metricsCsv(input.metrics, input.noiseFloor, base) },
    ...chartFiles(reportCharts(input), chartSvg),
  ];
  // The page links to every file written beside it (the caller's, then these).
  const links = [...(input.links ?? [])];
  for (const f of files) if (!links.some((l) => l.path === f.path)) links.push({ path: f.path, what: "" });
  input = { ...input, links };
  files.push({ path: "report.html", data: renderReportHtml(input) });
  return { files };
}
