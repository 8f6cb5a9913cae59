// The analysis of a trained run: saliency maps of every model for every attribution method (written as
// .npy), the per-query map metrics against Orig and the per-query predictions as tidy long tables, the
// tables of results.json, and the statistics section (src/stats/study.ts: paired tests against the
// matching noise floor, the unit of replication being the training run).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";
import { nameWord, withCoreRng } from "../core/rng.js";
import { compareMaps, entropies, meanSd, meanSdDefined } from "../explain/metrics.js";
import { METHOD_LABELS, type MethodName } from "../explain/methods.js";
import {
  methodMaps,
  methodSettings,
  predictions,
  queryImages,
  type ModelJobResult,
  type TrustTables,
} from "./trust.js";
import type { Dataset } from "../data/datasets.js";
import { gather } from "../data/split.js";
import { toFloat } from "../data/augment.js";
import { studyStats, type ModelRow, type StudyStats, type TidyMetricRow } from "../stats/study.js";
import { toCsv, toTidyJson } from "../stats/tidy.js";

/** The stats section as terminal lines (for the CLI, which reads the stats layer through the study). */
export { statsText } from "../stats/summary.js";
import { encodeNpy, writeAtomic, writeAtomicMany } from "../node/files.js";
import { primaryFloor, studyJobs, studyModels, type ModelName, type StudyConfig } from "./config.js";
import { loadModel, readHistory } from "./run-folder.js";
import type { MetricStats } from "../report/types.js";

export interface Table1Row {
  set: ModelName;
  bestVal: number;
  bestEpoch: number;
  test: number;
}

/** A model's map metrics, mean and sd over the query images (the report's MetricStats). */
export interface MetricsRow extends MetricStats {
  set: ModelName;
}

/** The primary noise floor of the first run against that run's Orig (the figures' band): how much
 *  retraining alone moves the maps; its entropies are its own maps'. */
export interface NoiseFloor extends Omit<MetricsRow, "set"> {
  set: string;
  seed: number;
  /** The job id it is compared with. */
  against: string;
}

/** One model's prediction for one query image (softmax of its logits). */
export interface PredictionRow {
  run: number;
  set: ModelName;
  query: number;
  label: number;
  predicted: number;
  pTrue: number;
  pPredicted: number;
}

export interface Results {
  config: StudyConfig;
  table1: Table1Row[];
  metrics: MetricsRow[];
  noiseFloor: NoiseFloor | null;
  runs: { seed: number; table1: Table1Row[]; metrics: MetricsRow[] }[];
  /** Per set, the mean and sample sd across runs of each run's mean metric (NaN sd for one run). */
  metricsSummary: MetricsRow[];
  table1Summary: { set: ModelName; bestValMean: number; bestValSd: number; testMean: number; testSd: number }[];
  queries: { index: number; label: number }[];
  /** Paired tests, intervals and corrections (null without noise floors). */
  stats: StudyStats | null;
  /** Every attribution method against Orig, and the trust tables. */
  explain: ExplainResults;
}

/** Models' maps are computed this many images at a time (the methods fill the batch with noisy
 *  samples, path points and occluded copies; maps do not depend on it). */
export const EXPLAIN_BATCH = 100;

/** The attribution methods beyond the tidy tables: each model of the first run against Orig per
 *  method, and the trust tables (study/trust.ts). */
export interface ExplainResults {
  methods: MethodName[];
  labels: Record<string, string>;
  /** First run: each model against Orig, per method; n = queries where CC is defined. */
  metrics: ({ method: MethodName; set: string; n: number } & Record<"cc" | "kl" | "sim" | "spearman", number> &
    Record<"ccSd" | "klSd" | "simSd" | "spearmanSd", number>)[];
  /** Filled by the trust stage (./trust-stage.ts); null with --no-trust. */
  trust: TrustTables | null;
}

/** The query images as floats in [0, 1], (Q, rows, cols). */
export function studyQueryImages(ds: Dataset, queries: { index: number }[]): Float32Array {
  return toFloat(
    gather(
      ds.test.images,
      ds.test.labels,
      ds.rows * ds.cols,
      queries.map((x) => x.index),
    ).images,
  );
}

/** The comparison metrics in the order of the tidy table (MIT saliency benchmark definitions). */
export const METRIC_ORDER = ["cc", "kl", "sim", "spearman", "entropySpatial", "entropyHist"] as const;
export const TIDY_METRIC_COLUMNS = ["run", "set", "method", "query", "label", "metric", "value"] as const;
export const TIDY_PREDICTION_COLUMNS = ["run", "set", "query", "label", "predicted", "pTrue", "pPredicted"] as const;

/** Saliency file of a job and method (vanilla keeps the name it always had). */
export function mapFile(jobId: string, method: string, signed = false): string {
  return `${jobId}${method === "vanilla" ? "" : `.${method}`}${signed ? ".signed" : ""}.npy`;
}

/** Saliency maps of every trained model (written as .npy), the tidy tables and the results. */
export function analyse(
  core: Core,
  config: StudyConfig,
  out: string,
  ds: Dataset,
  queries: { index: number; label: number }[],
  timings?: Record<string, number>,
  /** Models' maps and predictions already computed (./trust-stage.ts), by job id. */
  pre?: ReadonlyMap<string, ModelJobResult>,
): Results {
  const size = ds.rows * ds.cols;
  const q = queries.length;
  const labels = queries.map((x) => x.label);
  const qImages = studyQueryImages(ds, queries);
  const qi = queryImages(qImages, queries, ds.rows, ds.cols);
  const settings = methodSettings(config);
  const methods: MethodName[] = config.methods;
  const mapSeconds: Record<string, number> = {};
  mkdirSync(join(out, "saliency"), { recursive: true });
  writeAtomic(join(out, "saliency", "queries.npy"), encodeNpy(qImages, [q, 1, ds.rows, ds.cols]));

  const maps = new Map<string, Float32Array>(); // job id | method -> abs maps (q, size)
  const predRows: PredictionRow[] = [];
  let classes = 10;
  for (const job of studyJobs(config)) {
    if (job.permuteLabels) continue; // only the data-randomisation test reads it (trust stage)
    const mark = core.arena.mark();
    try {
      const done = pre?.get(job.id);
      let all: Map<MethodName, { abs: Float32Array; signed: Float32Array }>;
      let seconds: Record<string, number>;
      let p: { pred: number[]; probs: Float32Array };
      if (done) {
        ({ maps: all, seconds } = done);
        p = { pred: done.pred, probs: done.probs };
        classes = done.probs.length / q;
      } else {
        const model = loadModel(core, out, job.id, Math.max(q, EXPLAIN_BATCH));
        classes = model.classes;
        ({ maps: all, seconds } = methodMaps(methods, model, qi, settings));
        p = predictions(core, model, qImages, q);
      }
      for (const [m, t] of Object.entries(seconds)) mapSeconds[m] = (mapSeconds[m] ?? 0) + t;
      const files: { path: string; data: Uint8Array }[] = [];
      for (const method of methods) {
        const s = all.get(method)!;
        files.push({
          path: join(out, "saliency", mapFile(job.id, method)),
          data: encodeNpy(s.abs, [q, 1, ds.rows, ds.cols]),
        });
        files.push({
          path: join(out, "saliency", mapFile(job.id, method, true)),
          data: encodeNpy(s.signed, [q, 1, ds.rows, ds.cols]),
        });
        maps.set(`${job.id}|${method}`, s.abs);
      }
      writeAtomicMany(files);
      for (let i = 0; i < q; i++) {
        predRows.push({
          run: job.trainSeed,
          set: job.model,
          query: queries[i].index,
          label: labels[i],
          predicted: p.pred[i],
          pTrue: p.probs[i * classes + labels[i]],
          pPredicted: p.probs[i * classes + p.pred[i]],
        });
      }
    } finally {
      core.arena.reset(mark);
    }
  }
  if (timings) for (const [m, t] of Object.entries(mapSeconds)) timings[`maps:${m}`] = +t.toFixed(3);
  const mapOf = (id: string, method: string, i: number) =>
    maps.get(`${id}|${method}`)!.subarray(i * size, (i + 1) * size);

  // Tidy per-query metrics: CC, KL, SIM, Spearman of a model's map against its run's Orig map of the
  // same query and method (Orig against itself included, so the table is rectangular), and the
  // entropies of the model's own map.
  const tidy: TidyMetricRow[] = [];
  for (let r = 0; r < config.runs; r++) {
    const seed = config.seed + r;
    for (const model of studyModels(config)) {
      for (const method of config.methods) {
        for (let i = 0; i < q; i++) {
          const a = mapOf(`${model}-seed${seed}`, method, i);
          const c = compareMaps(core, a, mapOf(`orig-seed${seed}`, method, i));
          const e = entropies(core, a);
          const v: Record<string, number> = { ...c, ...e };
          for (const metric of METRIC_ORDER) {
            tidy.push({
              run: seed,
              set: model,
              method,
              query: queries[i].index,
              label: labels[i],
              metric,
              value: v[metric],
            });
          }
        }
      }
    }
  }
  writeAtomicMany([
    { path: join(out, "per-query-metrics.csv"), data: toCsv(tidy, TIDY_METRIC_COLUMNS) },
    { path: join(out, "per-query-metrics.json"), data: toTidyJson(tidy, TIDY_METRIC_COLUMNS) },
    { path: join(out, "per-query-predictions.csv"), data: toCsv(predRows, TIDY_PREDICTION_COLUMNS) },
    { path: join(out, "per-query-predictions.json"), data: toTidyJson(predRows, TIDY_PREDICTION_COLUMNS) },
  ]);

  // The summary tables (the first method's), mean ± sd over queries, per run.
  const method0 = config.methods[0];
  const index = new Map<string, number[]>();
  for (const row of tidy) {
    if (row.method !== method0) continue;
    const k = `${row.run}|${row.set}|${row.metric}`;
    if (!index.has(k)) index.set(k, []);
    index.get(k)!.push(row.value);
  }
  const summary = (seed: number, model: string) => {
    const o: Record<string, number> = {};
    for (const metric of METRIC_ORDER) {
      const s = meanSd(index.get(`${seed}|${model}|${metric}`) ?? []);
      o[metric] = s.mean;
      o[`${metric}Sd`] = s.sd;
    }
    return o as unknown as Omit<MetricsRow, "set">;
  };
  const tableSets: ModelName[] = studyModels(config).filter((m) => m !== "reorder" && m !== "retrain");
  const runs: Results["runs"] = [];
  const modelRows: ModelRow[] = [];
  for (let r = 0; r < config.runs; r++) {
    const seed = config.seed + r;
    const table1: Table1Row[] = [];
    const metrics: MetricsRow[] = [];
    for (const model of studyModels(config)) {
      const h = readHistory(out, `${model}-seed${seed}`);
      modelRows.push({
        run: seed,
        set: model,
        bestVal: h.bestVal,
        bestEpoch: h.bestEpoch,
        test: h.test,
        valAcc: h.valAcc,
      });
      if (!tableSets.includes(model)) continue;
      table1.push({ set: model, bestVal: h.bestVal, bestEpoch: h.bestEpoch, test: h.test });
      metrics.push({ set: model, ...summary(seed, model) });
    }
    runs.push({ seed, table1, metrics });
  }
  const floor = primaryFloor(config);
  const noiseFloor: NoiseFloor | null = config.noiseFloor
    ? { set: `orig (${floor})`, seed: config.seed, against: `orig-seed${config.seed}`, ...summary(config.seed, floor) }
    : null;
  const table1Summary = tableSets.map((set) => {
    const bv = meanSd(runs.map((r) => r.table1.find((x) => x.set === set)!.bestVal));
    const te = meanSd(runs.map((r) => r.table1.find((x) => x.set === set)!.test));
    return { set, bestValMean: bv.mean, bestValSd: bv.sd, testMean: te.mean, testSd: te.sd };
  });
  const keys = ["cc", "kl", "entropySpatial", "entropyHist", "sim", "spearman"] as const;
  const metricsSummary = tableSets.map((set) => {
    const per = runs.map((r) => r.metrics.find((x) => x.set === set)!);
    const row = { set } as MetricsRow;
    for (const k of keys) {
      const s = meanSd(per.map((p) => p[k]));
      row[k] = s.mean;
      row[`${k}Sd`] = s.sd;
    }
    return row;
  });

  // The tests. Every resample draws from the stream (seed, STATS, nameWord(test name)).
  const stats = config.noiseFloor
    ? studyStats(
        {
          init: config.init,
          baseline: "orig",
          repeat: config.repeat ? "repeat" : null,
          floors: ["reorder", "retrain"],
          primaryFloor: floor,
          sets: tableSets.filter((m) => m !== "orig"),
          methods: [...config.methods],
          metrics: [...METRIC_ORDER],
          runSeeds: runs.map((r) => r.seed),
          queries: q,
          classes,
        },
        tidy,
        modelRows,
        {
          withRng: (name, fn) => withCoreRng(core, { seed: config.seed, purpose: Stream.STATS, a: nameWord(name) }, fn),
        },
      )
    : null;
  // Per method: each model of the first run against Orig (the tidy table's values, mean over queries).
  const explainRows: ExplainResults["metrics"] = [];
  for (const method of methods) {
    for (const model of studyModels(config)) {
      const of = (metric: string) =>
        meanSdDefined(
          tidy
            .filter((t) => t.run === config.seed && t.set === model && t.method === method && t.metric === metric)
            .map((t) => t.value),
        );
      const [cc, kl, sim, sp] = [of("cc"), of("kl"), of("sim"), of("spearman")];
      explainRows.push({
        method,
        set: model,
        n: cc.n,
        cc: cc.mean,
        ccSd: cc.sd,
        kl: kl.mean,
        klSd: kl.sd,
        sim: sim.mean,
        simSd: sim.sd,
        spearman: sp.mean,
        spearmanSd: sp.sd,
      });
    }
  }
  const explain: ExplainResults = {
    methods,
    labels: Object.fromEntries(methods.map((m) => [m, METHOD_LABELS[m]])),
    metrics: explainRows,
    trust: null,
  };
  return {
    config,
    table1: runs[0].table1,
    metrics: runs[0].metrics,
    noiseFloor,
    runs,
    metricsSummary,
    table1Summary,
    queries,
    stats,
    explain,
  };
}
