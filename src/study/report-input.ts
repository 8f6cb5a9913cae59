// The report's input gathered from a run folder: Figure 1 and Figure 4 rendered, the histories and
// results as src/report/types.ts's ReportInput, then every report file written.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Core } from "../core/load.js";
import type { Dataset } from "../data/datasets.js";
import { gather } from "../data/split.js";
import { toFloat, figure1Samples } from "../data/augment.js";
import { renderAll, renderFigure1, renderFigure4 } from "../report/index.js";
import type { ReportInput } from "../report/types.js";
import { decodeNpy, readJson, toJson, writeAtomic, writeJson } from "../node/files.js";
import { VERSION } from "../version.js";
import { studyModels, studySets, type StudyConfig } from "./config.js";
import type { Results } from "./analysis.js";
import { readHistory } from "./run-folder.js";

/** Figure 1 (PNG): five of the split's training images and their augmented training copies. */
export function figure1Png(core: Core, config: StudyConfig, ds: Dataset, trainIdx: number[]): Uint8Array {
  const t = gather(ds.train.images, ds.train.labels, ds.rows * ds.cols, trainIdx);
  const fig = figure1Samples(core, toFloat(t.images), t.labels, Int32Array.from(trainIdx), config.seed, { strength: config.strength, crop: config.cropMode });
  return renderFigure1(fig.rows);
}

/** Figures, tables, report.html and results.json from the results and the files of the run. */
export function writeReport(core: Core, config: StudyConfig, out: string, ds: Dataset, split: { train: number[] }, results: Results, wasmSha: string,
  scale: "shared" | "per-map" = "shared"): void {
  const provenance = readJson<{ createdAt?: string; command?: string }>(join(out, "config.json"));
  const size = ds.rows * ds.cols;
  const seed = config.seed;
  const sets = studySets(config);
  const figure1 = figure1Png(core, config, ds, split.train);
  // Figure 4: the maps of the first run, rows = queries, columns = sets.
  const qImages = decodeNpy(new Uint8Array(readFileSync(join(out, "saliency", "queries.npy")))).data;
  const setMaps = sets.map((set) => decodeNpy(new Uint8Array(readFileSync(join(out, "saliency", `${set}-seed${seed}.npy`)))).data);
  const fig4Queries = results.queries.map((x, i) => ({ image: qImages.subarray(i * size, (i + 1) * size), label: x.label }));
  const fig4Maps = results.queries.map((_, i) => setMaps.map((m) => m.subarray(i * size, (i + 1) * size)));
  const figure4Heat = renderFigure4({ queries: fig4Queries, sets, maps: fig4Maps, mode: "heat", scale });
  const figure4Overlay = renderFigure4({ queries: fig4Queries, sets, maps: fig4Maps, mode: "overlay", scale });
  const histories = sets.map((set) => {
    const h = readHistory(out, `${set}-seed${seed}`);
    return { set, epochLoss: h.epochLoss, valAcc: h.valAcc, valLoss: h.valLoss };
  });
  const input: ReportInput = {
    config: config as unknown as Record<string, unknown>,
    provenance: { version: VERSION, wasmSha256: wasmSha, node: process.version, createdAt: provenance.createdAt ?? "", command: provenance.command },
    table1: results.table1,
    histories,
    metrics: results.metrics,
    noiseFloor: results.noiseFloor,
    figures: { figure1, figure4Heat, figure4Overlay },
    seeds: Object.fromEntries(studyModels(config).map((m) => [m, seed])),
    queries: results.queries,
    table1Runs: { runs: results.runs.length, seeds: results.runs.map((r) => r.seed), rows: results.table1Summary },
    metricsRuns: { runs: results.runs.length, seeds: results.runs.map((r) => r.seed), rows: results.metricsSummary },
    baselineSet: "orig",
    figure4Scale: scale,
    stats: results.stats ?? undefined,
    explain: results.explain?.trust ? (results.explain as unknown as ReportInput["explain"]) : undefined,
  };
  for (const f of renderAll(input).files) writeAtomic(join(out, f.path), f.data);
  writeJson(join(out, "table1.json"), results.table1);
  writeJson(join(out, "metrics.json"), { metrics: results.metrics, noiseFloor: results.noiseFloor });
  writeAtomic(join(out, "results.json"), toJson(results));
}
