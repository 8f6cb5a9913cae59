// The pipeline of one study (../shared/DESIGN.md): data → split → augmented sets → training jobs on
// workers → saliency → metrics → figures and report. Each stage takes and returns plain values that are
// written to the run folder, which is what makes a run resumable and each stage testable.
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { readFileSync, rmSync, readdirSync, mkdirSync } from "node:fs";
import { loadCore, wasmBytes, wasmModule } from "../core/node.js";
import type { Core } from "../core/load.js";
import { Model } from "../nn/model.js";
import { encodeCheckpoint, decodeCheckpoint } from "../nn/checkpoint.js";
import type { History } from "../nn/train.js";
import { attribute } from "../explain/saliency.js";
import { compareMaps, entropies, meanSd } from "../explain/metrics.js";
import { loadDataset, type Dataset } from "../data/datasets.js";
import { classBalancedSplit, gather } from "../data/split.js";
import { toFloat, figure1Samples } from "../data/augment.js";
import { renderAll, renderFigure1, renderFigure4 } from "../report/index.js";
import type { ReportInput } from "../report/types.js";
import { studyJobs, studySets, validateConfig, UsageError, type Job, type SetName, type StudyConfig } from "./config.js";
import { runPool } from "./pool.js";
import type { JobResult, StudyData } from "./job.js";
import { chooseQueries } from "./queries.js";
import { encodeNpy, decodeNpy, exists, readJson, sha256, toJson, writeAtomic, writeJson } from "./files.js";
import { VERSION } from "../version.js";

export interface Logger {
  /** A line that stays. */
  info(line: string): void;
  /** A line that replaces the previous progress line on a terminal. */
  progress(line: string): void;
}

export const silentLogger: Logger = { info() {}, progress() {} };

export interface StudyOptions {
  out: string;
  workers?: number;
  force?: boolean;
  log?: Logger;
  /** Colour scale of Figure 4: one per query row (default) or per map (Captum's 2% clip). */
  scale?: "shared" | "per-map";
  /** The command line, recorded in config.json. */
  command?: string;
  /** Stop after training (the `train` subcommand). */
  trainOnly?: boolean;
}

export interface Table1Row {
  set: SetName;
  bestVal: number;
  bestEpoch: number;
  test: number;
}

export interface MetricsRow {
  set: SetName;
  cc: number; ccSd: number;
  kl: number; klSd: number;
  entropySpatial: number; entropySpatialSd: number;
  entropyHist: number; entropyHistSd: number;
  sim: number; simSd: number;
  spearman: number; spearmanSd: number;
}

/** The second baseline (Orig retrained with another seed) against the first: how much retraining
 *  alone moves the maps; its entropies are its own maps'. */
export interface NoiseFloor extends Omit<MetricsRow, "set"> {
  set: "orig";
  seed: number;
  /** The job id it is compared with. */
  against: string;
}

export interface Results {
  config: StudyConfig;
  table1: Table1Row[];
  metrics: MetricsRow[];
  noiseFloor: NoiseFloor | null;
  runs: { seed: number; table1: Table1Row[]; metrics: MetricsRow[] }[];
  /** Per set, the mean and sample sd across runs of each run's mean metric (NaN sd for one run). */
  metricsSummary: MetricsRow[];
  table1Summary: { set: SetName; bestValMean: number; bestValSd: number; testMean: number; testSd: number }[];
  queries: { index: number; label: number }[];
}

const OWNED = ["config.json", "split.json", "queries.json", "weights", "history", "saliency", "figures", "table1.md", "table1.csv", "table1.json",
  "metrics.md", "metrics.csv", "metrics.json", "report.html", "results.json", "timings.json"];

/**
 * Make sure `out` can hold this configuration: a new folder, the same configuration (resume), or
 * --force (clears what augsal wrote there). A different configuration is a usage error.
 */
export function prepareRunFolder(out: string, config: StudyConfig, force: boolean): "new" | "resume" {
  const cfgPath = join(out, "config.json");
  if (exists(cfgPath) && !force) {
    let old: { config?: StudyConfig };
    try {
      old = readJson(cfgPath);
    } catch {
      throw new UsageError(`${cfgPath} is not readable as an augsal run configuration; use --force to overwrite the folder or --out DIR for another`);
    }
    const a = old.config ?? {};
    const diff = Object.keys({ ...a, ...config }).filter((k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((config as unknown as Record<string, unknown>)[k]));
    if (diff.length) {
      throw new UsageError(`${out} holds a run with a different configuration (${diff.join(", ")} differ); use --out DIR for a new folder or --force to overwrite it`);
    }
    return "resume";
  }
  if (force && exists(out)) {
    for (const f of readdirSync(out)) if (OWNED.includes(f)) rmSync(join(out, f), { recursive: true, force: true });
  }
  return "new";
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "--";
  const m = Math.floor(s / 60);
  return m ? `${m}m${Math.round(s % 60).toString().padStart(2, "0")}s` : `${s.toFixed(1)}s`;
}

/** The images of the study: the split's training and validation images and the test set, 8-bit. */
export function gatherStudyData(ds: Dataset, split: { train: number[]; val: number[] }): StudyData {
  const size = ds.rows * ds.cols;
  return {
    rows: ds.rows,
    cols: ds.cols,
    train: { ...gather(ds.train.images, ds.train.labels, size, split.train), source: Int32Array.from(split.train) },
    val: gather(ds.train.images, ds.train.labels, size, split.val),
    test: { images: ds.test.images, labels: ds.test.labels },
  };
}

/** The data set and the class-balanced split of a configuration; bad data or counts are usage errors. */
export function loadStudyInputs(core: Core, config: StudyConfig): { ds: Dataset; split: { train: number[]; val: number[] } } {
  let ds: Dataset;
  try {
    ds = loadDataset(config.data);
  } catch (e) {
    throw new UsageError(`--data ${config.data}: ${(e as Error).message}`);
  }
  try {
    const s = classBalancedSplit(core, ds.train.labels, { seed: config.seed, trainPerClass: config.trainPerClass, valPerClass: config.valPerClass });
    return { ds, split: { train: Array.from(s.train), val: Array.from(s.val) } };
  } catch (e) {
    throw new UsageError(`--train-per-class/--val-per-class: ${(e as Error).message}`);
  }
}

/** Figure 1 (PNG): five of the split's training images and their augmented training copies. */
export function figure1Png(core: Core, config: StudyConfig, ds: Dataset, trainIdx: number[]): Uint8Array {
  const t = gather(ds.train.images, ds.train.labels, ds.rows * ds.cols, trainIdx);
  const fig = figure1Samples(core, toFloat(t.images), t.labels, Int32Array.from(trainIdx), config.seed, { strength: config.strength, crop: config.cropMode });
  return renderFigure1(fig.rows);
}

/** Run (or resume) a whole study; returns the results also written to results.json. */
export async function runStudy(config: StudyConfig, opts: StudyOptions): Promise<Results | null> {
  validateConfig(config);
  const log = opts.log ?? silentLogger;
  const out = resolve(opts.out);
  const workers = opts.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers must be a positive integer, got ${workers}`);
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const lap = (name: string, since: number) => (timings[name] = +((performance.now() - since) / 1000).toFixed(3));

  // Everything that can fail on bad input fails here, before the run folder is touched.
  let t = performance.now();
  const core = loadCore();
  const { ds, split } = loadStudyInputs(core, config);
  const queryIdx = chooseQueries(core, ds.test.labels, config.queries, config.seed);
  lap("data", t);

  const mode = prepareRunFolder(out, config, opts.force ?? false);
  const wasmSha = sha256(wasmBytes());
  // createdAt is kept from the first run of this folder so a resumed run renders the same page.
  const createdAt = mode === "resume" ? (readJson<{ createdAt?: string }>(join(out, "config.json")).createdAt ?? new Date().toISOString()) : new Date().toISOString();
  writeJson(join(out, "config.json"), { augsal: VERSION, wasmSha256: wasmSha, node: process.version, createdAt, command: opts.command, config });
  writeJson(join(out, "split.json"), { seed: config.seed, trainPerClass: config.trainPerClass, valPerClass: config.valPerClass, source: config.data, train: split.train, val: split.val, test: "all test images" });
  const queries = queryIdx.map((index) => ({ index, label: ds.test.labels[index] }));
  writeJson(join(out, "queries.json"), queries);
  log.info(`augsal ${VERSION}: ${mode === "resume" ? "resuming" : "writing"} ${out}`);

  // Training jobs: skip the finished ones (weights and history on disk).
  t = performance.now();
  const jobs = studyJobs(config);
  const paths = (j: Job) => ({ w: join(out, "weights", `${j.id}.bin`), h: join(out, "history", `${j.id}.json`) });
  const pending = jobs.filter((j) => !(exists(paths(j).w) && exists(paths(j).h)));
  if (pending.length < jobs.length) log.info(`${jobs.length - pending.length} of ${jobs.length} models already trained; ${pending.length} to go`);
  // Heavier jobs (augmented sets) first so the pool finishes together.
  pending.sort((a, b) => Number(a.set === "orig") - Number(b.set === "orig"));
  const data = gatherStudyData(ds, split);
  const jobSeconds: Record<string, number> = {};
  const progress = new Map<string, string>();
  const tTrain = performance.now();
  let done = 0;
  const total = pending.length * config.epochs;
  await runPool(pending, {
    workers,
    module: wasmModule(),
    data,
    config,
    onEpoch: (job, r) => {
      done++;
      progress.set(job.id, `${job.id} ${r.epoch}/${r.epochs} val ${r.valAcc.toFixed(3)}`);
      const el = (performance.now() - tTrain) / 1000;
      log.progress(`[${[...progress.values()].join(" | ")}] ${fmtTime(el)} elapsed, ETA ${fmtTime((el / done) * (total - done))}`);
    },
    onDone: (res: JobResult) => {
      const p = paths(res.job);
      writeAtomic(p.w, encodeCheckpoint(res.spec, res.best));
      writeJson(p.h, { job: res.job, trainSize: res.trainSize, ...res.history });
      jobSeconds[res.job.id] = +res.seconds.toFixed(3);
      progress.delete(res.job.id);
      log.info(`trained ${res.job.id}: best val ${res.history.bestVal.toFixed(3)} at epoch ${res.history.bestEpoch}, test ${res.history.test.toFixed(4)} (${res.seconds.toFixed(1)} s)`);
    },
  });
  lap("train", t);
  if (opts.trainOnly) {
    writeJson(join(out, "timings.json"), { ...timings, jobs: jobSeconds, total: +((performance.now() - t0) / 1000).toFixed(3), workers });
    return null;
  }
  t = performance.now();
  const results = analyse(core, config, out, ds, queries);
  lap("saliency+metrics", t);
  t = performance.now();
  writeReport(core, config, out, ds, split, results, wasmSha, opts.scale);
  lap("report", t);
  writeJson(join(out, "timings.json"), { ...timings, jobs: jobSeconds, total: +((performance.now() - t0) / 1000).toFixed(3), workers });
  return results;
}

function readHistory(out: string, id: string): History {
  return readJson<History>(join(out, "history", `${id}.json`));
}

function loadModel(core: Core, out: string, id: string, capacity: number): Model {
  const path = join(out, "weights", `${id}.bin`);
  let ck: ReturnType<typeof decodeCheckpoint>;
  try {
    ck = decodeCheckpoint(new Uint8Array(readFileSync(path)), path);
  } catch (e) {
    throw new Error(`${(e as Error).message} (delete the file to retrain that model, or run again with --force)`);
  }
  const { spec, params } = ck;
  const model = new Model(core, spec, capacity);
  model.setParams(params);
  return model;
}

/** Saliency maps of every trained model (written as .npy) and the metrics against the baseline. */
export function analyse(core: Core, config: StudyConfig, out: string, ds: Dataset, queries: { index: number; label: number }[]): Results {
  const size = ds.rows * ds.cols;
  const q = queries.length;
  const qImages = toFloat(gather(ds.test.images, ds.test.labels, size, queries.map((x) => x.index)).images);
  mkdirSync(join(out, "saliency"), { recursive: true });
  writeAtomic(join(out, "saliency", "queries.npy"), encodeNpy(qImages, [q, 1, ds.rows, ds.cols]));

  const maps = new Map<string, Float32Array>(); // job id -> abs maps (q, size)
  for (const job of studyJobs(config)) {
    const mark = core.arena.mark();
    try {
      const model = loadModel(core, out, job.id, q);
      const s = attribute(model, qImages, queries.map((x) => x.label), { target: config.target, score: config.score });
      writeAtomic(join(out, "saliency", `${job.id}.npy`), encodeNpy(s.abs, [q, 1, ds.rows, ds.cols]));
      writeAtomic(join(out, "saliency", `${job.id}.signed.npy`), encodeNpy(s.signed, [q, 1, ds.rows, ds.cols]));
      maps.set(job.id, s.abs);
    } finally {
      core.arena.reset(mark);
    }
  }
  const mapOf = (id: string, i: number) => maps.get(id)!.subarray(i * size, (i + 1) * size);
  const compare = (id: string, base: string) => {
    const rows = queries.map((_, i) => compareMaps(core, mapOf(id, i), mapOf(base, i)));
    const pick = (k: "cc" | "kl" | "sim" | "spearman") => meanSd(rows.map((r) => r[k]));
    const [cc, kl, sim, sp] = [pick("cc"), pick("kl"), pick("sim"), pick("spearman")];
    return { cc: cc.mean, ccSd: cc.sd, kl: kl.mean, klSd: kl.sd, sim: sim.mean, simSd: sim.sd, spearman: sp.mean, spearmanSd: sp.sd };
  };

  const entropyStats = (id: string) => {
    const ents = queries.map((_, i) => entropies(core, mapOf(id, i)));
    const es = meanSd(ents.map((e) => e.entropySpatial));
    const eh = meanSd(ents.map((e) => e.entropyHist));
    return { entropySpatial: es.mean, entropySpatialSd: es.sd, entropyHist: eh.mean, entropyHistSd: eh.sd };
  };

  const runs: Results["runs"] = [];
  for (let r = 0; r < config.runs; r++) {
    const seed = config.seed + r;
    const base = `orig-seed${seed}`;
    const table1: Table1Row[] = [];
    const metrics: MetricsRow[] = [];
    for (const set of studySets(config)) {
      const id = `${set}-seed${seed}`;
      const h = readHistory(out, id);
      table1.push({ set, bestVal: h.bestVal, bestEpoch: h.bestEpoch, test: h.test });
      metrics.push({ set, ...compare(id, base), ...entropyStats(id) });
    }
    runs.push({ seed, table1, metrics });
  }
  const noiseSeed = config.seed + config.runs;
  const noiseFloor: NoiseFloor | null = config.noiseFloor
    ? { set: "orig", seed: noiseSeed, against: `orig-seed${config.seed}`, ...compare(`orig-seed${noiseSeed}`, `orig-seed${config.seed}`), ...entropyStats(`orig-seed${noiseSeed}`) }
    : null;
  const table1Summary = studySets(config).map((set) => {
    const bv = meanSd(runs.map((r) => r.table1.find((x) => x.set === set)!.bestVal));
    const te = meanSd(runs.map((r) => r.table1.find((x) => x.set === set)!.test));
    return { set, bestValMean: bv.mean, bestValSd: bv.sd, testMean: te.mean, testSd: te.sd };
  });
  const keys = ["cc", "kl", "entropySpatial", "entropyHist", "sim", "spearman"] as const;
  const metricsSummary = studySets(config).map((set) => {
    const per = runs.map((r) => r.metrics.find((x) => x.set === set)!);
    const row = { set } as MetricsRow;
    for (const k of keys) {
      const s = meanSd(per.map((p) => p[k]));
      row[k] = s.mean;
      row[`${k}Sd`] = s.sd;
    }
    return row;
  });
  return { config, table1: runs[0].table1, metrics: runs[0].metrics, noiseFloor, runs, metricsSummary, table1Summary, queries };
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
    seeds: Object.fromEntries([...sets.map((s) => [s, seed]), ...(results.noiseFloor ? [[`orig (seed ${results.noiseFloor.seed})`, results.noiseFloor.seed]] : [])]),
    queries: results.queries,
    table1Runs: { runs: results.runs.length, seeds: results.runs.map((r) => r.seed), rows: results.table1Summary },
    metricsRuns: { runs: results.runs.length, seeds: results.runs.map((r) => r.seed), rows: results.metricsSummary },
    baselineSet: "orig",
    figure4Scale: scale,
  };
  for (const f of renderAll(input).files) writeAtomic(join(out, f.path), f.data);
  writeJson(join(out, "table1.json"), results.table1);
  writeJson(join(out, "metrics.json"), { metrics: results.metrics, noiseFloor: results.noiseFloor });
  writeAtomic(join(out, "results.json"), toJson(results));
}
