// The report's input gathered from a run folder: Figures 1 and 4 as SVG (and PNG rendered from that SVG),
// the histories, the predictions and results as src/report/types.ts's ReportInput, then every file written.
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import type { Core } from "../core/load.js";
import type { Dataset } from "../data/datasets.js";
import { gather } from "../data/split.js";
import { toFloat, figure1Samples, DEFAULT_STRENGTH } from "../data/augment.js";
import { figure1Svg, figure4PanelSvg, figure4Svg, type Figure4Input } from "../report/figures.js";
import { renderAll } from "../report/index.js";
import type { ReportInput } from "../report/types.js";
import { decodeNpy, readFile, readJson, toJson, writeAtomicMany } from "../node/files.js";
import { svgToPng } from "../node/rasterize.js";
import { METHOD_LABELS, type MethodName } from "../explain/methods.js";
import { VERSION } from "../version.js";
import { studyModels, studySets, type StudyConfig } from "./config.js";
import { mapFile, type Results } from "./analysis.js";
import { readHistory } from "./run-folder.js";

/** Queries Figure 4 shows, in the page and in figures/ (14 panels: every method on both scales, each map an
 *  embedded PNG; more would weigh the page and the PNG export down); saliency/*.npy holds every query's maps. */
export const FIGURE4_MAX_QUERIES = 5;

/** Figure 1 (SVG): five of the split's training images and their copies in each configured augmentation. */
export function figure1SvgOf(core: Core, config: StudyConfig, ds: Dataset, trainIdx: number[]): string {
  const t = gather(ds.train.images, ds.train.labels, ds.rows * ds.cols, trainIdx);
  // Five digits of different classes, or as many classes as the data has.
  const count = Math.min(5, new Set(t.labels).size);
  const fig = figure1Samples(core, toFloat(t.images), t.labels, Int32Array.from(trainIdx), config.seed, {
    strength: config.strength,
    crop: config.cropMode,
    count,
    augs: config.aug,
  });
  return figure1Svg(fig.rows, { columns: ["orig", ...config.aug] });
}

/** Figure 1's files: figures/figure1.svg and the PNG rendered from it. */
export async function figure1Files(svg: string): Promise<{ path: string; data: string | Uint8Array }[]> {
  return [
    { path: "figures/figure1.svg", data: svg },
    { path: "figures/figure1.png", data: await svgToPng(svg) },
  ];
}

/**
 * SVG documents rendered to PNG (svgToPng: the same bytes in any thread), one after the other: on one
 * worker thread when `inWorker` (so they render while the caller goes on), else in this thread. One
 * worker, not one per document: each renderer adds ~40-60 MB (the three figures alone: 230 MB in this
 * thread, 265 MB on one worker, 300 MB on two), and two workers put the default study's peak RSS at
 * 511 MB (the report stage), above issue 15's ~484 MB; one worker: 436 MB. Two saved no time (2.75 s).
 */
export async function renderPngs(docs: { svg: string; zoom: number }[], inWorker: boolean): Promise<Uint8Array[]> {
  const out: Uint8Array[] = new Array(docs.length);
  if (!inWorker || docs.length === 0) {
    for (const [i, d] of docs.entries()) out[i] = await svgToPng(d.svg, d.zoom);
    return out;
  }
  const w = new Worker(new URL("./png-worker.js", import.meta.url));
  try {
    for (const [i, d] of docs.entries()) {
      out[i] = await new Promise<Uint8Array>((resolve, reject) => {
        const fail = (e: Error) => reject(e);
        w.once("error", fail);
        w.once("message", (m: { png?: Uint8Array; error?: string }) => {
          w.off("error", fail);
          if (m.png) resolve(m.png);
          else reject(new Error(`rendering a figure to PNG failed: ${m.error}`));
        });
        w.postMessage(d);
      });
    }
  } finally {
    await w.terminate();
  }
  return out;
}

/** Figure 4's input: the first run's maps (|s| and signed) of every method, and each model's prediction. */
function figure4Input(config: StudyConfig, out: string, ds: Dataset, results: Results): Figure4Input {
  const size = ds.rows * ds.cols;
  const seed = config.seed;
  const sets = studySets(config);
  const q = Math.min(results.queries.length, FIGURE4_MAX_QUERIES);
  const npy = (name: string) => {
    const path = join(out, "saliency", name);
    return decodeNpy(new Uint8Array(readFile(path)), path).data;
  };
  const rows = (all: Float32Array[]) =>
    Array.from({ length: q }, (_, i) => all.map((m) => m.subarray(i * size, (i + 1) * size)));
  const qImages = npy("queries.npy");
  const methods = (results.explain?.methods ?? config.methods).map((method) => {
    const abs = sets.map((set) => npy(mapFile(`${set}-seed${seed}`, method)));
    const signedPaths = sets.map((set) => mapFile(`${set}-seed${seed}`, method, true));
    const signed = signedPaths.every((f) => existsSync(join(out, "saliency", f))) ? signedPaths.map(npy) : null;
    return {
      id: method,
      label: METHOD_LABELS[method as MethodName] ?? method,
      abs: rows(abs),
      signed: signed ? rows(signed) : null,
    };
  });
  // per-query-predictions.json (analysis.ts): one row per run, model and query.
  const predPath = join(out, "per-query-predictions.json");
  const preds = existsSync(predPath)
    ? readJson<{ run: number; set: string; query: number; predicted: number; pPredicted: number | null }[]>(predPath)
    : null;
  const predictions = preds
    ? results.queries.slice(0, q).map((x) =>
        sets.map((set) => {
          const r = preds.find((p) => p.run === seed && p.set === set && p.query === x.index);
          return r && r.pPredicted !== null ? { predicted: r.predicted, p: r.pPredicted } : null;
        }),
      )
    : undefined;
  return {
    queries: results.queries.slice(0, q).map((x, i) => ({
      image: qImages.subarray(i * size, (i + 1) * size),
      label: x.label,
      index: x.index,
    })),
    sets,
    methods,
    predictions,
  };
}

/** The Setup table: what a person needs to run the study again, in words. */
function setupRows(
  config: StudyConfig,
  ds: Dataset,
  run: { command?: string; resolved?: { layers?: unknown[] }; inputs?: Record<string, { sha256?: string }> },
): [string, string][] {
  const classes = Math.max(...Array.from(ds.test.labels)) + 1;
  const origSize = classes * config.trainPerClass;
  const augSize = origSize * (1 + config.copies);
  const batch = (n: number) => config.batch || Math.floor(n / config.steps);
  const strength = config.aug.map((a) => `${a} ${config.strength[a] ?? DEFAULT_STRENGTH[a]}`).join(", ");
  const layers = (run.resolved?.layers ?? []) as { type: string; out?: number; k?: number; pad?: number }[];
  const layerText = layers
    .map((l) =>
      l.type === "conv"
        ? `conv ${l.k}\u00d7${l.k} \u2192 ${l.out}${l.pad ? ` (pad ${l.pad})` : ""}`
        : l.type === "linear"
          ? `linear \u2192 ${l.out}`
          : l.type,
    )
    .join(", ");
  const opt = config.optimizer;
  const fp = run.inputs
    ? Object.entries(run.inputs)
        .map(([k, v]) => `${k} ${String(v.sha256 ?? "").slice(0, 12)}`)
        .join("; ")
    : "";
  const rows: [string, string][] = [
    ["Dataset", `${ds.name} (${config.data}), ${ds.rows}\u00d7${ds.cols}, ${classes} classes`],
    [
      "Training images",
      `${config.trainPerClass} per class = ${origSize} (Orig); + ${config.copies} augmented copies each = ${augSize}`,
    ],
    ["Validation images", `${config.valPerClass} per class = ${config.valPerClass * classes}`],
    ["Query images", `${config.queries} per class = ${config.queries * classes} test images`],
    ["Augmentations (strength)", strength || "none"],
    ["Crop mode", config.cropMode],
    ["Architecture", `${config.arch}: ${layerText || "(see config.json)"}`],
    [
      "Training",
      `${config.epochs} epochs \u00d7 ${config.steps} steps; batch ${batch(origSize)} (Orig), ${batch(augSize)} (augmented, Repeat)` +
        `${config.batch ? "" : " = set size / steps"}`,
    ],
    [
      "Optimizer",
      `${opt.kind}, lr ${opt.lr}${"beta1" in opt ? `, \u03b2 ${opt.beta1}/${opt.beta2}, \u03b5 ${opt.eps}` : ""}, weight decay ${opt.weightDecay}`,
    ],
    [
      "Seeds and runs",
      config.runs === 1
        ? `seed ${config.seed}, one run`
        : `${config.runs} runs, seeds ${config.seed}\u2013${config.seed + config.runs - 1}`,
    ],
    ["Initialisation", config.init],
    ["Saliency target and score", `${config.target}, ${config.score}`],
    ["Attribution methods", config.methods.map((m) => METHOD_LABELS[m] ?? m).join(", ")],
    [
      "Controls",
      [config.repeat ? "Repeat" : "", config.noiseFloor ? "reorder and retrain floors" : ""]
        .filter(Boolean)
        .join(", ") || "none",
    ],
    ["Data fingerprint (SHA-256)", fp || "\u2013"],
  ];
  return rows;
}

/** Figures, tables, report.html and results.json from the results and the files of the run. */
export async function writeReport(
  core: Core,
  config: StudyConfig,
  out: string,
  ds: Dataset,
  split: { train: number[] },
  results: Results,
  wasmSha: string,
  scale: "shared" | "per-map" = "shared",
  /** Threads the PNG exports may render on (default 1: in this thread). */
  threads = 1,
): Promise<void> {
  const run = readJson<{
    createdAt?: string;
    command?: string;
    resolved?: { layers?: unknown[] };
    inputs?: Record<string, { sha256?: string }>;
  }>(join(out, "config.json"));
  const seed = config.seed;
  const figure1 = figure1SvgOf(core, config, ds, split.train);
  const f4 = figure4Input(config, out, ds, results);
  const panels = f4.methods.map((m) => ({
    method: m.id,
    label: m.label,
    shared: figure4PanelSvg(f4, m.id, "shared", `f4s${m.id}`),
    perMap: figure4PanelSvg(f4, m.id, "per-map", `f4p${m.id}`),
  }));
  const figure4Shared = figure4Svg(
    panels.map((p) => p.shared),
    "shared",
  );
  const figure4PerMap = figure4Svg(
    panels.map((p) => p.perMap),
    "per-map",
  );
  // Figure 2 draws every model of Table 1: the sets and the Repeat control (the floors are Orig's
  // protocol again and would only retrace its curve)
  const curves = studyModels(config).filter((m) => m !== "reorder" && m !== "retrain");
  const histories = curves.map((set) => {
    const h = readHistory(out, `${set}-seed${seed}`);
    return { set, epochLoss: h.epochLoss, valAcc: h.valAcc, valLoss: h.valLoss, stepLoss: h.stepLoss };
  });
  const input: ReportInput = {
    config: config as unknown as Record<string, unknown>,
    provenance: {
      version: VERSION,
      wasmSha256: wasmSha,
      node: process.version,
      createdAt: run.createdAt ?? "",
      command: run.command,
    },
    table1: results.table1,
    histories,
    metrics: results.metrics,
    noiseFloor: results.noiseFloor,
    figures: {
      figure1,
      figure4: { panels, shown: f4.queries.length, files: f4.queries.length, total: results.queries.length },
    },
    setup: setupRows(config, ds, run),
    seeds: Object.fromEntries(studyModels(config).map((m) => [m, seed])),
    queries: results.queries,
    table1Runs: { runs: results.runs.length, seeds: results.runs.map((r) => r.seed), rows: results.table1Summary },
    metricsRuns: { runs: results.runs.length, seeds: results.runs.map((r) => r.seed), rows: results.metricsSummary },
    baselineSet: "orig",
    figure4Scale: scale,
    stats: results.stats ?? undefined,
    explain: results.explain?.trust ? (results.explain as unknown as ReportInput["explain"]) : undefined,
    mapPixels: ds.rows * ds.cols,
    faithfulnessCurves: results.explain?.trust?.curves,
  };
  // With more than one thread, the PNG exports render on a worker thread while this thread writes the
  // tables and builds the charts and the page (the same bytes; the page links them as files beside it).
  const pngs = renderPngs(
    [
      // Zoom 1 for Figure 4: the maps are already 3 units a pixel; the stacked panels are tall.
      { svg: figure4Shared, zoom: 1 },
      { svg: figure4PerMap, zoom: 1 },
      { svg: figure1, zoom: 2 },
    ],
    threads > 1,
  );
  // an error of the rendering is reported by the await below, not as an unhandled rejection meanwhile
  pngs.catch(() => {});
  const pngPaths = ["figures/figure4-shared.png", "figures/figure4-permap.png", "figures/figure1.png"];
  const svgs = [
    { path: "figures/figure1.svg", data: figure1 },
    { path: "figures/figure4-shared.svg", data: figure4Shared },
    { path: "figures/figure4-permap.svg", data: figure4PerMap },
  ];
  writeAtomicMany([
    ...svgs.map((f) => ({ path: join(out, f.path), data: f.data })),
    { path: join(out, "table1.json"), data: toJson(results.table1) },
    { path: join(out, "metrics.json"), data: toJson({ metrics: results.metrics, noiseFloor: results.noiseFloor }) },
    { path: join(out, "results.json"), data: toJson(results) },
  ]);
  // The page last, with links to the files that exist beside it (and the PNGs being rendered).
  input.links = linksBeside(out, pngPaths);
  const page = renderAll(input).files;
  const png = await pngs;
  writeAtomicMany([
    ...pngPaths.map((path, i) => ({ path: join(out, path), data: png[i] })),
    ...page.map((f) => ({ path: join(out, f.path), data: f.data })),
  ]);
}

/** The files beside report.html the page links to, those that exist (report files are written with it). */
function linksBeside(out: string, coming: string[] = []): { path: string; what: string }[] {
  const always = [
    ["table1.csv", "Table 1"],
    ["metrics.csv", "Table 2"],
  ];
  const ifThere = [
    ["per-query-metrics.csv", "every metric per model, method and query (tidy)"],
    ["per-query-predictions.csv", "every model's prediction per query (tidy)"],
    ["results.json", "all results and the tests' inputs"],
    ["config.json", "the configuration, resolved, with the data fingerprint"],
    ["figures/figure1.svg", "Figure 1 (SVG)"],
    ["figures/figure1.png", "Figure 1 (PNG)"],
    ["figures/figure4-shared.svg", "Figure 4, shared scale (SVG)"],
    ["figures/figure4-shared.png", "Figure 4, shared scale (PNG)"],
    ["figures/figure4-permap.svg", "Figure 4, per-map scale (SVG)"],
    ["figures/figure4-permap.png", "Figure 4, per-map scale (PNG)"],
  ].filter(([p]) => coming.includes(p) || existsSync(join(out, p)));
  return [...always, ...ifThere].map(([path, what]) => ({ path, what }));
}
