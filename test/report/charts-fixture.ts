// Inputs for the chart tests (test/report/charts.test.ts, test/e2e/report-charts.test.ts): histories
// with per-step losses, a trust section, the poster's claims, and a whole report input with a stats
// section from the real analysis (src/stats/study.ts) over synthetic rows. Invented numbers, no results.
import type { ReportInput, StudyStats, TrustReport } from "../../src/report/types.js";
import { studyStats, type ModelRow, type TidyMetricRow } from "../../src/stats/study.js";
import { nameWord, withCoreRng } from "../../src/core/rng.js";
import { Stream } from "../../src/core/streams.js";
import { freshCore } from "../helpers.js";
import { smallInput } from "./fixture.js";

/** Histories with per-step losses: 3 epochs of 4 steps per model. */
export function trainingInput() {
  const input = smallInput();
  for (const h of input.histories) h.stepLoss = h.epochLoss.flatMap((l) => [l + 0.3, l + 0.1, l - 0.1, l - 0.3]);
  return input;
}

export const TRUST: TrustReport = {
  methods: ["vanilla", "ig"],
  labels: { vanilla: "Gradient", ig: "Integrated Gradients" },
  metrics: [],
  trust: {
    settings: { sanityFailAt: 0.5, digitThreshold: 0.5, deletionStep: 8, insertionBlurSigma: 2 },
    sanity: ["vanilla", "ig"].flatMap((method) =>
      ["orig", "crop"].flatMap((set) =>
        ["fc", "fc+conv2", "fc+conv2+conv1"].map((step, i) => ({
          method,
          set,
          test: "cascading",
          step,
          n: 4,
          spearmanAbs: 0.6 - 0.2 * i,
          spearmanSigned: 0.1,
          ssim: 0.3,
        })),
      ),
    ),
    verdicts: [],
    localisation: ["vanilla", "ig"].flatMap((method) =>
      ["orig", "crop"].map((set) => ({
        method,
        set,
        n: 4,
        mass: 0.4,
        massSd: 0.1,
        rank: 0.3,
        pointing: 0.5,
        maskShare: 0.19,
      })),
    ),
    faithfulness: ["vanilla", "ig", "random"].flatMap((method) =>
      ["orig", "crop"].map((set) => ({
        method,
        set,
        deletionAuc: 0.2,
        deletionAucSd: 0.05,
        insertionAuc: 0.5,
        insertionAucSd: 0.1,
      })),
    ),
    equivariance: ["vanilla", "ig"].flatMap((method) =>
      ["orig", "crop"].flatMap((set) =>
        ["scaling", "blur"].map((aug) => ({
          method,
          set,
          aug,
          kind: aug === "blur" ? "invariance" : "equivariance",
          n: 4,
          cc: 0.5,
          ccSd: 0.1,
          spearman: 0.4,
        })),
      ),
    ),
    igGap: [],
  },
};

export const CLAIMS = {
  saliencyVsAccuracy: ["vanilla", "ig"].flatMap((method) =>
    ["cc", "kl"].map((metric) => ({
      metric,
      method,
      n: 3,
      rho: metric === "cc" ? 0.5 : -0.5,
      p: 0.5,
      interval: { lo: -0.9, hi: 0.99, level: 0.95, method: "bootstrap" },
      verdict: "no relation shown",
      inputs: ["scaling", "crop", "blur"].map((set, i) => ({ run: 0, set, x: 0.5 + i / 10, y: 0.01 * i })),
    })),
  ),
} as unknown as StudyStats["claims"];

/** A stats section from the real analysis over synthetic rows: 12 queries of one run, three sets and two
 *  floors; RandCrop's CC always 0.3 below the reorder floor's, Scaling's equal to it up to a symmetric
 *  wiggle. `model` gives a set's best validation and test accuracy (default: the claim chart's spread). */
export function chartStats(
  queries = 12,
  model: (set: string, si: number) => { bestVal: number; test: number } = (set, si) => ({
    bestVal: 0.8,
    test: set === "orig" ? 0.7 : 0.7 + si / 50,
  }),
): StudyStats {
  const core = freshCore();
  const rows: TidyMetricRow[] = [];
  const models: ModelRow[] = [];
  for (const [si, set] of ["orig", "scaling", "crop", "reorder", "retrain"].entries()) {
    for (let q = 0; q < queries; q++) {
      const w = (((q * 3 + si) % 5) - 2) / 100;
      const cc = set === "orig" ? 1 : set === "crop" ? 0.3 + w : set === "scaling" ? 0.6 - w : 0.6 + w;
      for (const [metric, value] of [
        ["cc", cc],
        ["kl", 1 - cc],
        ["entropySpatial", 6 + si / 10 + w],
      ] as const) {
        rows.push({ run: 0, set, method: "vanilla", query: q, label: q % 10, metric, value });
      }
    }
    models.push({ run: 0, set, ...model(set, si), bestEpoch: 2, valAcc: [0.5, 0.8] });
  }
  return studyStats(
    {
      init: "shared",
      baseline: "orig",
      repeat: null,
      floors: ["reorder", "retrain"],
      primaryFloor: "reorder",
      sets: ["scaling", "crop"],
      methods: ["vanilla"],
      metrics: ["cc", "kl", "entropySpatial"],
      runSeeds: [0],
      queries,
      classes: 10,
    },
    rows,
    models,
    { reps: 199, withRng: (name, fn) => withCoreRng(core, { seed: 0, purpose: Stream.STATS, a: nameWord(name) }, fn) },
  ) as unknown as StudyStats;
}

/** A report input that draws every chart: per-step losses, the map size, the tests and the trust section. */
export function chartsReportInput(): ReportInput {
  return { ...trainingInput(), mapPixels: 784, stats: chartStats(), explain: TRUST, faithfulnessCurves: CURVES };
}

/** Mean deletion/insertion curves of 99 points (784 pixels, 8 a step) per method and model. */
export const CURVES = ["vanilla", "ig", "random"].flatMap((method) =>
  ["orig", "crop"].map((set) => {
    const x = Array.from({ length: 99 }, (_, t) => Math.min(8 * t, 784) / 784);
    return { method, set, x, deletion: x.map((v) => 0.9 * (1 - v) ** 2), insertion: x.map((v) => 0.1 + 0.8 * v) };
  }),
);
