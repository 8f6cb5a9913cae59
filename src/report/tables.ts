// Table 1 (training results, with the poster's numbers beside ours) and the saliency metrics table,
// as Markdown and CSV. Fixed decimals: accuracies 3 in Markdown / 4 in CSV, the poster's 2 as printed,
// metrics 3 in Markdown / 6 in CSV. Missing numbers: "–" in Markdown, an empty field in CSV.
import { csvField, csvLines, fixed, mdTable, meanSd, MISSING } from "./format.js";
import { METRICS } from "./verdict.js";
import {
  BASELINE_SET,
  POSTER_TABLE1,
  setLabel,
  sortBySet,
  type MetricRow,
  type MetricStats,
  type NoiseFloor,
  type Table1Row,
} from "./types.js";

const poster = (set: string) => (POSTER_TABLE1 as Record<string, { bestVal: number; test: number } | undefined>)[set];

const intOrMissing = (x: number) => (Number.isInteger(x) ? String(x) : MISSING);

/** Table 1 as a Markdown pipe table, in SET_ORDER. */
export function table1Markdown(rows: readonly Table1Row[]): string {
  const body = sortBySet(rows).map((r) => {
    const p = poster(r.set);
    return [
      setLabel(r.set),
      fixed(r.bestVal, 3),
      intOrMissing(r.bestEpoch),
      fixed(r.test, 3),
      fixed(p?.bestVal, 2),
      fixed(p?.test, 2),
    ];
  });
  return mdTable(["Model", "Best val. acc.", "Best epoch", "Test acc.", "Poster best val.", "Poster test"], body, [
    "l",
    "r",
    "r",
    "r",
    "r",
    "r",
  ]);
}

/** Table 1 as CSV (header: set,label,best_val,best_epoch,test,poster_best_val,poster_test). */
export function table1Csv(rows: readonly Table1Row[]): string {
  const body = sortBySet(rows).map((r) => {
    const p = poster(r.set);
    return [
      csvField(r.set),
      csvField(setLabel(r.set)),
      csvField(r.bestVal, 4),
      Number.isInteger(r.bestEpoch) ? String(r.bestEpoch) : "",
      csvField(r.test, 4),
      csvField(p?.bestVal, 2),
      csvField(p?.test, 2),
    ];
  });
  return csvLines(["set", "label", "best_val", "best_epoch", "test", "poster_best_val", "poster_test"], body);
}

/** Label of the noise-floor row, e.g. "Orig, seed 2 (noise floor)". */
export function noiseFloorLabel(nf: NoiseFloor, baselineSet = BASELINE_SET): string {
  const set = setLabel(nf.set ?? baselineSet);
  return nf.seed !== undefined ? `${set}, seed ${nf.seed} (noise floor)` : `${set}, 2nd seed (noise floor)`;
}

const MD_HEADERS: Record<string, string> = {
  cc: "CC",
  kl: "KL",
  entropySpatial: "H spatial (nats)",
  entropyHist: "H hist. (bits)",
  sim: "SIM",
  spearman: "Spearman",
};

const CSV_NAMES: Record<string, string> = {
  cc: "cc",
  kl: "kl",
  entropySpatial: "entropy_spatial",
  entropyHist: "entropy_hist",
  sim: "sim",
  spearman: "spearman",
};

function mdCells(s: MetricStats): string[] {
  return METRICS.map((m) => meanSd(s[m.key], s[m.sdKey], m.digits));
}

/** The metrics table as Markdown: mean ± sd per model, then the noise-floor row. */
export function metricsMarkdown(
  rows: readonly MetricRow[],
  noiseFloor: NoiseFloor | null,
  baselineSet = BASELINE_SET,
): string {
  const body = sortBySet(rows).map((r) => [setLabel(r.set), ...mdCells(r)]);
  if (noiseFloor) body.push([noiseFloorLabel(noiseFloor, baselineSet), ...mdCells(noiseFloor)]);
  return mdTable(["Model", ...METRICS.map((m) => MD_HEADERS[m.key])], body, ["l", ...METRICS.map(() => "r" as const)]);
}

/**
 * The metrics table as CSV, one column per mean and per sd
 * (set,label,cc,cc_sd,kl,kl_sd,entropy_spatial,entropy_spatial_sd,entropy_hist,entropy_hist_sd,sim,sim_sd,spearman,spearman_sd);
 * the noise floor is the row with set "noise_floor".
 */
export function metricsCsv(
  rows: readonly MetricRow[],
  noiseFloor: NoiseFloor | null,
  baselineSet = BASELINE_SET,
): string {
  const cells = (s: MetricStats) => METRICS.flatMap((m) => [csvField(s[m.key], 6), csvField(s[m.sdKey], 6)]);
  const body = sortBySet(rows).map((r) => [csvField(r.set), csvField(setLabel(r.set)), ...cells(r)]);
  if (noiseFloor) body.push(["noise_floor", csvField(noiseFloorLabel(noiseFloor, baselineSet)), ...cells(noiseFloor)]);
  const header = ["set", "label", ...METRICS.flatMap((m) => [CSV_NAMES[m.key], `${CSV_NAMES[m.key]}_sd`])];
  return csvLines(header, body);
}
