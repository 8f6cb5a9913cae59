// The report's input: plain data that the pipeline gathers from a run (JSON-serialisable except the
// PNG buffers of the raster figures), and the fixed facts the report compares against.

import { BASELINE_SET, SET_LABELS, SET_ORDER, setLabel } from "../sets.js";

/** Training sets in the report's order, their labels, the baseline: one list, src/sets.ts. */
export { BASELINE_SET, SET_LABELS, SET_ORDER, setLabel };
export type SetId = (typeof SET_ORDER)[number];

/** Sorts rows into SET_ORDER; sets not in it keep their relative order after the known ones. */
export function sortBySet<T extends { set: string }>(rows: readonly T[]): T[] {
  const rank = (s: string) => {
    const i = (SET_ORDER as readonly string[]).indexOf(s);
    return i < 0 ? SET_ORDER.length : i;
  };
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r.set) - rank(b.r.set) || a.i - b.i)
    .map((x) => x.r);
}

/** The poster's Table 1 ("Training Results"): best validation and test accuracy per training set. */
export const POSTER_TABLE1: Readonly<Record<SetId, { bestVal: number; test: number }>> = {
  orig: { bestVal: 0.81, test: 0.78 },
  scaling: { bestVal: 0.71, test: 0.67 },
  crop: { bestVal: 0.88, test: 0.87 },
  erasing: { bestVal: 0.79, test: 0.79 },
  distortion: { bestVal: 0.85, test: 0.79 },
  blur: { bestVal: 0.74, test: 0.73 },
};

/** One model's row of Table 1. Accuracies are fractions in [0, 1]; bestEpoch is 1-based. */
export interface Table1Row {
  set: string;
  bestVal: number;
  bestEpoch: number;
  test: number;
}

/** One model's learning curves, one entry per epoch (epoch 1 first). */
export interface HistoryRow {
  set: string;
  /** Mean training loss over the epoch's steps. */
  epochLoss: number[];
  /** Validation accuracy (fraction) after the epoch. */
  valAcc: number[];
  /** Validation loss after the epoch. */
  valLoss: number[];
  /** Training loss of every step (history/*.json), for Figure 2's per-step curve; epoch means without it. */
  stepLoss?: number[];
}

/**
 * Saliency statistics, each a mean over the query images with its standard deviation across them.
 * cc, kl, sim, spearman compare a model's map with the baseline model's map of the same query;
 * entropySpatial (nats) and entropyHist (bits) describe the model's own maps.
 */
export interface MetricStats {
  cc: number;
  ccSd: number;
  kl: number;
  klSd: number;
  entropySpatial: number;
  entropySpatialSd: number;
  entropyHist: number;
  entropyHistSd: number;
  sim: number;
  simSd: number;
  spearman: number;
  spearmanSd: number;
}

export interface MetricRow extends MetricStats {
  set: string;
}

/**
 * The seed noise floor: the same statistics for a second baseline model trained on the same set with
 * another seed, compared with the baseline (so cc, kl, sim, spearman say how much retraining alone
 * moves the maps; the entropies are that model's own).
 */
export interface NoiseFloor extends MetricStats {
  /** The retrained model's set (default BASELINE_SET). */
  set?: string;
  /** Its seed, for the label. */
  seed?: number;
}

export interface Provenance {
  /** augsal version. */
  version: string;
  /** SHA-256 (hex) of the wasm core that produced the numbers. */
  wasmSha256: string;
  /** Node version (process.version). */
  node: string;
  /** When the run was made (ISO 8601), passed in: the report never reads the clock. */
  createdAt: string;
  /** The command line, if known. */
  command?: string;
}

/** Query image identity, for the Figure 4 caption. */
export interface QueryInfo {
  /** Index in the test set. */
  index: number;
  /** True class. */
  label: number;
}

export interface ReportInput {
  title?: string;
  /** The run's parameters, shown as a table (nested objects flattened to dotted keys). */
  config: Record<string, unknown>;
  provenance: Provenance;
  table1: Table1Row[];
  histories: HistoryRow[];
  metrics: MetricRow[];
  noiseFloor: NoiseFloor | null;
  /** The image figures as SVG documents (src/report/figures.ts); a missing figure is shown as "not rendered".
   *  figure4: one panel per attribution method on each scale; the page shows `shown` of `total` queries and
   *  figures/figure4-*.svg `files` of them. */
  figures: {
    figure1?: string;
    figure4?: { panels: Figure4Panel[]; shown: number; files?: number; total: number };
  };
  /** The Setup table in words ([what, value]), from the resolved configuration (study/report-input.ts). */
  setup?: [string, string][];
  /** Files beside report.html to link to (paths relative to it); renderAll adds the files it writes. */
  links?: { path: string; what: string }[];
  /** Seeds per model (e.g. { orig: 1, "orig (seed 2)": 2, ... }). */
  seeds?: Record<string, number>;
  queries?: QueryInfo[];
  /** Set the maps are compared against (default BASELINE_SET). */
  baselineSet?: string;
  /** Table 1 over several training runs (--runs > 1): mean and sample sd per set. */
  table1Runs?: {
    runs: number;
    seeds: number[];
    rows: { set: string; bestValMean: number; bestValSd: number; testMean: number; testSd: number }[];
  };
  /** The metrics over several training runs: per set, mean and sample sd across runs of each run's mean. */
  metricsRuns?: { runs: number; seeds: number[]; rows: MetricRow[] };
  /** Figure 4's scale shown first in the page (--scale); both are in the page and in figures/. Default "shared". */
  figure4Scale?: "shared" | "per-map";
  /** The study's tests (results.json "stats"): when present, the at-a-glance box, the verdict chips
   *  and the paired dot plots come from them. */
  stats?: StudyStats;
  /** Every attribution method against the baseline, and the trust tables (src/report/trust.ts). */
  explain?: TrustReport;

  // --- The charts' inputs (src/report/charts/), added for the Vega-Lite figures --------------------
  /** Pixels of one saliency map (rows x cols of the data): Figure 3 draws the maximum spatial entropy
   *  ln(mapPixels); without it the maximum is not drawn. */
  mapPixels?: number;
  /** Mean deletion and insertion curves per method (and "random") and model, from results.json's
   *  explain.trust.curves (src/study/trust.ts): the trust section's curve chart. */
  faithfulnessCurves?: { method: string; set: string; x: number[]; deletion: number[]; insertion: number[] }[];
}

/** One attribution method's Figure 4 panel on the shared and on the per-map scale (SVG documents). */
export interface Figure4Panel {
  method: string;
  label: string;
  shared: string;
  perMap: string;
}

/** One file of the rendered report, path relative to the run's report folder (forward slashes). */
export interface ReportFile {
  path: string;
  data: string | Uint8Array;
}

// The shape of results.json's "stats" section that the page reads (src/stats/study.ts writes it; the
// report layer reads plain results and does not import the stats layer).
export interface Iv {
  lo: number;
  hi: number;
  level: number;
  method: string;
}
export interface PairedComparison {
  set: string;
  metric: string;
  method: string | null;
  against: string;
  unit: "run" | "query";
  n: number;
  inputs: { units: number[]; treatment: number[]; control: number[] };
  meanDiff: number;
  interval: Iv;
  p: number;
  pHolm: number;
  minHolmP: number;
  reachable: boolean;
  unitsNeeded: number;
  verdict: string;
}
export interface StudyStats {
  design: {
    init: string;
    baseline: string;
    primaryFloor: string;
    sets: string[];
    methods: string[];
    metrics: string[];
    level: number;
    alpha: number;
    note: string;
    varianceCovered: string;
  };
  maps: PairedComparison[];
  accuracy: PairedComparison[];
  claims: {
    saliencyVsAccuracy: {
      metric: string;
      /** Attribution method (one claim per method), and the points the correlation is over. */
      method?: string;
      n: number;
      rho: number;
      p: number;
      interval: Iv | null;
      verdict: string;
      inputs?: { run: number; set: string; x: number; y: number }[];
    }[];
    entropyVariation: {
      metric: string;
      treatments: string[];
      blocks: number;
      statistic: number;
      df: number;
      p: number;
      verdict: string;
    }[];
    convergence: {
      threshold: number;
      perSet: { set: string; mean: number; interval: Iv }[];
      vsBaseline: PairedComparison[];
    };
  };
  nearChance: { warning: string | null };
}

/** A row of one method and one model. */
type Row = { method: string; set: string };

/** The explain section of results.json, as the report reads it (study/trust.ts writes it). */
export interface TrustReport {
  methods: string[];
  labels: Record<string, string>;
  /** Per method and set: CC and Spearman of |maps| against the baseline's maps of the same method. */
  metrics: { method: string; set: string; cc: number; ccSd: number; spearman: number; spearmanSd: number }[];
  trust: {
    settings: { sanityFailAt: number; digitThreshold: number; deletionStep: number; insertionBlurSigma: number };
    sanity: (Row & { test: string; step: string; n: number } & Record<
        "spearmanAbs" | "spearmanSigned" | "ssim",
        number
      >)[];
    verdicts: (Row & { finalSpearmanAbs: number; fails: boolean | null })[];
    localisation: (Row & { n: number; mass: number; massSd: number; rank: number; pointing: number } & {
      maskShare: number;
    })[];
    faithfulness: (Row & Record<"deletionAuc" | "deletionAucSd" | "insertionAuc" | "insertionAucSd", number>)[];
    equivariance: (Row & { aug: string; kind: string; n: number; cc: number; ccSd: number; spearman: number })[];
    igGap: { set: string; gap: number; absGap: number; maxAbsGap: number; absDelta: number }[];
  };
}
