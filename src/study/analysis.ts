// The analysis of a trained run: saliency maps of every model (written as .npy), the map metrics
// against the baseline, and the tables of results.json.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Core } from "../core/load.js";
import { compareMaps, entropies, meanSd, meanSdDefined } from "../explain/metrics.js";
import { METHOD_LABELS, type MethodName } from "../explain/methods.js";
import { methodMaps, methodSettings, queryImages, type TrustTables } from "./trust.js";
import type { Dataset } from "../data/datasets.js";
import { gather } from "../data/split.js";
import { toFloat } from "../data/augment.js";
import { encodeNpy, writeAtomic } from "../node/files.js";
import { studyJobs, studySets, type SetName, type StudyConfig } from "./config.js";
import { loadModel, readHistory } from "./run-folder.js";

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
  /** Every attribution method's comparison with Orig and the trust tables (study/trust.ts). */
  explain: ExplainResults;
}

/** Models' maps are computed this many images at a time (the methods fill the batch with noisy
 *  samples, path points and occluded copies; maps do not depend on it). */
export const EXPLAIN_BATCH = 100;

export interface ExplainResults {
  methods: MethodName[];
  labels: Record<string, string>;
  /** First run: each model (and the noise floor) against Orig, per method; n = queries where CC is defined. */
  metrics: ({ method: MethodName; set: string; n: number } & Record<"cc" | "kl" | "sim" | "spearman", number> &
    Record<"ccSd" | "klSd" | "simSd" | "spearmanSd", number>)[];
  /** Filled by the trust stage (./trust-stage.ts); null with --no-trust. */
  trust: TrustTables | null;
}

/** The query images as floats in [0, 1], (Q, rows, cols). */
export function studyQueryImages(ds: Dataset, queries: { index: number }[]): Float32Array {
  return toFloat(gather(ds.test.images, ds.test.labels, ds.rows * ds.cols, queries.map((x) => x.index)).images);
}

/** Saliency maps of every trained model (written as .npy) and the metrics against the baseline. */
export function analyse(
  core: Core, config: StudyConfig, out: string, ds: Dataset, queries: { index: number; label: number }[], timings?: Record<string, number>,
): Results {
  const size = ds.rows * ds.cols;
  const q = queries.length;
  const qImages = studyQueryImages(ds, queries);
  mkdirSync(join(out, "saliency"), { recursive: true });
  writeAtomic(join(out, "saliency", "queries.npy"), encodeNpy(qImages, [q, 1, ds.rows, ds.cols]));

  const maps = new Map<string, Float32Array>(); // job id -> vanilla abs maps (q, size)
  // Every method's maps (vanilla's files keep their names, the others go under saliency/<method>/).
  // The trust tables are a stage of their own on the worker pool (./trust-stage.ts).
  const methods: MethodName[] = config.methods ?? ["vanilla"];
  const qi = queryImages(qImages, queries, ds.rows, ds.cols);
  const settings = methodSettings(config);
  const methodAbs = new Map<MethodName, Map<string, Float32Array>>(methods.map((m) => [m, new Map()]));
  const mapSeconds: Record<string, number> = {};
  for (const job of studyJobs(config)) {
    if (job.permuteLabels) continue; // only the data-randomisation test reads it (trust stage)
    const mark = core.arena.mark();
    try {
      const model = loadModel(core, out, job.id, Math.max(q, EXPLAIN_BATCH));
      const { maps: all, seconds } = methodMaps(methods, model, qi, settings);
      for (const [m, t] of Object.entries(seconds)) mapSeconds[m] = (mapSeconds[m] ?? 0) + t;
      for (const [m, a] of all) {
        const dir = m === "vanilla" ? join(out, "saliency") : join(out, "saliency", m);
        mkdirSync(dir, { recursive: true });
        writeAtomic(join(dir, `${job.id}.npy`), encodeNpy(a.abs, [q, 1, ds.rows, ds.cols]));
        writeAtomic(join(dir, `${job.id}.signed.npy`), encodeNpy(a.signed, [q, 1, ds.rows, ds.cols]));
        methodAbs.get(m)!.set(job.id, a.abs);
      }
      maps.set(job.id, all.get("vanilla")!.abs);
    } finally {
      core.arena.reset(mark);
    }
  }
  if (timings) for (const [m, t] of Object.entries(mapSeconds)) timings[`maps:${m}`] = +t.toFixed(3);
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
  // Per method: each model of the first run against Orig's maps of the same method (and the noise floor).
  const methodRows: ExplainResults["metrics"] = [];
  for (const m of methods) {
    const base = `orig-seed${config.seed}`;
    const ids = studySets(config).map((set) => ({ set: set as string, id: `${set}-seed${config.seed}` }));
    if (config.noiseFloor) ids.push({ set: "noise floor", id: `orig-seed${noiseSeed}` });
    for (const { set, id } of ids) {
      const of = (job: string, i: number) => methodAbs.get(m)!.get(job)!.subarray(i * size, (i + 1) * size);
      const rows = queries.map((_, i) => compareMaps(core, of(id, i), of(base, i)));
      const pick = (k: "cc" | "kl" | "sim" | "spearman") => meanSdDefined(rows.map((r) => r[k]));
      const [cc, kl, sim, sp] = [pick("cc"), pick("kl"), pick("sim"), pick("spearman")];
      methodRows.push({
        method: m, set, n: cc.n, cc: cc.mean, ccSd: cc.sd, kl: kl.mean, klSd: kl.sd,
        sim: sim.mean, simSd: sim.sd, spearman: sp.mean, spearmanSd: sp.sd,
      });
    }
  }
  const labels = Object.fromEntries(methods.map((m) => [m, METHOD_LABELS[m]]));
  const explain: ExplainResults = { methods, labels, metrics: methodRows, trust: null };
  const { table1, metrics } = runs[0];
  return { config, table1, metrics, noiseFloor, runs, metricsSummary, table1Summary, queries, explain };
}

