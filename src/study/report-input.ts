// The report's input gathered from a run folder: Figure 1 and Figure 4 rendered, the histories and
// results as src/report/types.ts's ReportInput, then every report file written.
import { join } from "node:path";
import type { Core } from "../core/load.js";
import type { Dataset } from "../data/datasets.js";
import { gather } from "../data/split.js";
import { toFloat, figure1Samples } from "../data/augment.js";
import { figure4Layout, renderAll, renderFigure1, renderFigure4 } from "../report/index.js";
import type { ReportInput } from "../report/types.js";
import { decodeNpy, readFile, readJson, toJson, writeAtomic, writeJson } from "../node/files.js";
import { VERSION } from "../version.js";
import { studyModels, studySets, type StudyConfig } from "./config.js";
import type { Results } from "./analysis.js";
import { readHistory } from "./run-folder.js";

/** Figure 1 (PNG): five of the split's training images and their augmented training copies. */
export function figure1Png(core: Core, config: StudyConfig, ds: Dataset, trainIdx: number[]): Uint8Array {
  const t = gather(ds.train.images, ds.train.labels, ds.rows * ds.cols, trainIdx);
  // Five digits of different classes, or as many classes as the data has.
  const count = Math.min(5, new Set(t.labels).size);
  const fig = figure1Samples(core, toFloat(t.images), t.labels, Int32Array.from(trainIdx), config.seed, {
    strength: config.strength,
    crop: config.cropMode,
    count,
  });
  return renderFigure1(fig.rows);
}

/** Figures, tables, report.html and results.json from the results and the files of the run. */
export function writeReport(
  core: Core,
  config: StudyConfig,
  out: string,
  ds: Dataset,
  split: { train: number[] },
  results: Results,
  wasmSha: string,
  scale: "shared" | "per-map" = "shared",
): void {
  const provenance = readJson<{ createdAt?: string; command?: string }>(join(out, "config.json"));
  const size = ds.rows * ds.cols;
  const seed = config.seed;
  const sets = studySets(config);
  const figure1 = figure1Png(core, config, ds, split.train);
  // Figure 4: the maps of the first run, rows = queries, columns = sets.
  const npy = (name: string) => {
    const path = join(out, "saliency", name);
    return decodeNpy(new Uint8Array(readFile(path)), path).data;
  };
  const qImages = npy("queries.npy");
  const setMaps = sets.map((set) => npy(`${set}-seed${seed}.npy`));
  const fig4Queries = results.queries.map((x, i) => ({
    image: qImages.subarray(i * size, (i + 1) * size),
    label: x.label,
  }));
  const fig4Maps = results.queries.map((_, i) => setMaps.map((m) => m.subarray(i * size, (i + 1) * size)));
  // Figure 4 in pages of as many query rows as a PNG canvas holds (16384 px): the report shows the
  // first page; figures/figure4-{heat,overlay}-pN.png hold the others.
  let perPage = Math.min(fig4Queries.length, 100);
  while (perPage > 1 && figure4Layout(perPage, sets.length, ds.rows, scale).height > 16384) perPage--;
  const page = (from: number, mode: "heat" | "overlay") =>
    renderFigure4({
      queries: fig4Queries.slice(from, from + perPage),
      sets,
      maps: fig4Maps.slice(from, from + perPage),
      mode,
      scale,
    });
  const figure4Heat = page(0, "heat");
  const figure4Overlay = page(0, "overlay");
  for (let from = perPage, n = 2; from < fig4Queries.length; from += perPage, n++) {
    writeAtomic(join(out, "figures", `figure4-heat-p${n}.png`), page(from, "heat"));
    writeAtomic(join(out, "figures", `figure4-overlay-p${n}.png`), page(from, "overlay"));
  }
  const histories = sets.map((set) => {
    const h = readHistory(out, `${set}-seed${seed}`);
    return { set, epochLoss: h.epochLoss, valAcc: h.valAcc, valLoss: h.valLoss, stepLoss: h.stepLoss };
  });
  const input: ReportInput = {
    config: config as unknown as Record<string, unknown>,
    provenance: {
      version: VERSION,
      wasmSha256: wasmSha,
      node: process.version,
      createdAt: provenance.createdAt ?? "",
      command: provenance.command,
    },
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
    mapPixels: size,
    faithfulnessCurves: results.explain?.trust?.curves,
  };
  for (const f of renderAll(input).files) writeAtomic(join(out, f.path), f.data);
  writeJson(join(out, "table1.json"), results.table1);
  writeJson(join(out, "metrics.json"), { metrics: results.metrics, noiseFloor: results.noiseFloor });
  writeAtomic(join(out, "results.json"), toJson(results));
}
