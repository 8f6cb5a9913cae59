// The analysis of a trained run: saliency maps of every model (written as .npy), the map metrics
// against the baseline, and the tables of results.json.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Core } from "../core/load.js";
import { attribute } from "../explain/saliency.js";
import { compareMaps, entropies, meanSd } from "../explain/metrics.js";
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

