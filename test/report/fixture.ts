// A small hand-made report input shared by the report tests.
import type { MetricRow, NoiseFloor, ReportInput } from "../../src/report/types.js";

export function row(set: string, cc: number, kl: number, hs: number, hh: number, sd = 0.05): MetricRow {
  return {
    set,
    cc,
    ccSd: sd,
    kl,
    klSd: sd,
    entropySpatial: hs,
    entropySpatialSd: sd,
    entropyHist: hh,
    entropyHistSd: sd,
    sim: cc,
    simSd: sd,
    spearman: cc,
    spearmanSd: sd,
  };
}

export const METRIC_ROWS: MetricRow[] = [
  row("orig", 1, 0, 5.2, 3.9, 0),
  row("scaling", 0.5, 0.6, 5.7, 4.1),
  row("crop", 0.78, 0.27, 5.21, 3.91),
];

export const NOISE: NoiseFloor = { ...row("orig", 0.8, 0.25, 5.25, 3.92), seed: 2 };

export function smallInput(over: Partial<ReportInput> = {}): ReportInput {
  return {
    config: { epochs: 3, optimizer: { name: "adam", lr: 0.001 }, sets: ["orig", "scaling", "crop"] },
    provenance: { version: "0.1.0", wasmSha256: "ab".repeat(32), node: "v20.0.0", createdAt: "2024-01-02T03:04:05Z" },
    table1: [
      { set: "scaling", bestVal: 0.7, bestEpoch: 3, test: 0.66 },
      { set: "orig", bestVal: 0.8125, bestEpoch: 2, test: 0.78 },
      { set: "crop", bestVal: 0.88, bestEpoch: 3, test: 0.8666 },
    ],
    histories: [
      { set: "orig", epochLoss: [2, 1, 0.5], valAcc: [0.5, 0.7, 0.81], valLoss: [2, 1.2, 0.9] },
      { set: "scaling", epochLoss: [2.2, 1.4, 0.9], valAcc: [0.4, 0.6, 0.7], valLoss: [2.1, 1.5, 1.1] },
      { set: "crop", epochLoss: [2.1, 1.1, 0.6], valAcc: [0.5, 0.8, 0.88], valLoss: [2, 1.1, 0.8] },
    ],
    metrics: METRIC_ROWS.map((r) => ({ ...r })),
    noiseFloor: { ...NOISE },
    figures: {},
    ...over,
  };
}
