// Does an augmentation change the saliency maps more than retraining the baseline with another seed
// does? One explicit rule per kind of metric, applied to means and standard deviations over the query
// images. It is a descriptive screen with a one-sd margin, not a significance test, and the page says so.
//
// Noise floor m0 ± s0: the second-seed baseline model's statistic against the baseline (mean ± sd
// over the queries). For an augmentation with mean m:
//   similarities (CC, SIM, Spearman; higher = closer to the baseline):
//     m < m0 − s0 → "beyond" (moves saliency more than retraining does); m > m0 + s0 → "closer";
//     otherwise "within".
//   divergence (KL; higher = further from the baseline):
//     m > m0 + s0 → "beyond"; m < m0 − s0 → "closer"; otherwise "within".
//   entropies (a property of each model's own maps, so compared with the baseline's own entropy H0):
//     tolerance t = |H_seed − H0| + s_seed (how far retraining moved it, plus the retrained model's sd);
//     |m − H0| > t → "beyond" (higher = more diffuse maps, lower = more concentrated); otherwise "within".
// A missing number anywhere gives "unknown".
import { fixed, MISSING } from "./format.js";
import { setLabel, type MetricRow, type MetricStats, type NoiseFloor } from "./types.js";

export type MetricKey = "cc" | "kl" | "sim" | "spearman" | "entropySpatial" | "entropyHist";

export interface MetricInfo {
  key: MetricKey;
  sdKey: keyof MetricStats;
  /** Short name for tables and charts. */
  short: string;
  /** Full name for prose. */
  name: string;
  unit: string;
  kind: "similarity" | "divergence" | "entropy";
  /** Decimals shown. */
  digits: number;
}

/** The saliency metrics in the order the report shows them. */
export const METRICS: readonly MetricInfo[] = [
  { key: "cc", sdKey: "ccSd", short: "CC", name: "Pearson correlation (CC)", unit: "", kind: "similarity", digits: 3 },
  { key: "kl", sdKey: "klSd", short: "KL", name: "KL divergence", unit: "", kind: "divergence", digits: 3 },
  {
    key: "entropySpatial",
    sdKey: "entropySpatialSd",
    short: "H spatial",
    name: "spatial entropy",
    unit: "nats",
    kind: "entropy",
    digits: 3,
  },
  {
    key: "entropyHist",
    sdKey: "entropyHistSd",
    short: "H histogram",
    name: "histogram entropy",
    unit: "bits",
    kind: "entropy",
    digits: 3,
  },
  { key: "sim", sdKey: "simSd", short: "SIM", name: "similarity (SIM)", unit: "", kind: "similarity", digits: 3 },
  {
    key: "spearman",
    sdKey: "spearmanSd",
    short: "Spearman",
    name: "Spearman rank correlation",
    unit: "",
    kind: "similarity",
    digits: 3,
  },
];

export function metricInfo(key: MetricKey): MetricInfo {
  const m = METRICS.find((x) => x.key === key);
  if (!m) throw new Error(`unknown metric ${key}`);
  return m;
}

/** The interval an augmentation's mean must leave to count as "beyond" the seed noise. */
export interface NoiseBand {
  lo: number;
  hi: number;
  /** The reference value: the noise floor's mean (CC, KL, SIM, Spearman) or the baseline's entropy. */
  center: number;
  /** Half-width of the band (s0, or the entropy tolerance t). */
  half: number;
}

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/**
 * The band for one metric, or null when it cannot be formed (no noise floor, a missing number, or for
 * an entropy no baseline row).
 */
export function noiseBand(
  metric: MetricInfo,
  noiseFloor: NoiseFloor | null,
  baseline: MetricRow | undefined,
): NoiseBand | null {
  if (!noiseFloor) return null;
  const m0 = noiseFloor[metric.key];
  const s0 = noiseFloor[metric.sdKey];
  if (!finite(m0) || !finite(s0)) return null;
  if (metric.kind === "entropy") {
    const h0 = baseline?.[metric.key];
    if (!finite(h0)) return null;
    const half = Math.abs(m0 - h0) + Math.abs(s0);
    return { lo: h0 - half, hi: h0 + half, center: h0, half };
  }
  return { lo: m0 - Math.abs(s0), hi: m0 + Math.abs(s0), center: m0, half: Math.abs(s0) };
}

export type Verdict = "beyond" | "within" | "closer" | "unknown";

/** The rule above for one value. For entropies, "beyond" covers both directions (see direction()). */
export function judge(metric: MetricInfo, value: number, band: NoiseBand | null): Verdict {
  if (!band || !finite(value)) return "unknown";
  const below = value < band.lo;
  const above = value > band.hi;
  switch (metric.kind) {
    case "similarity":
      return below ? "beyond" : above ? "closer" : "within";
    case "divergence":
      return above ? "beyond" : below ? "closer" : "within";
    case "entropy":
      return below || above ? "beyond" : "within";
  }
}

/** For an entropy judged "beyond": whether the maps are more diffuse (higher) or more concentrated. */
export function direction(value: number, band: NoiseBand): "higher" | "lower" {
  return value > band.center ? "higher" : "lower";
}

export interface MetricJudgement {
  metric: MetricInfo;
  band: NoiseBand | null;
  /** One entry per augmentation (baseline excluded), in the rows' order. */
  items: { set: string; value: number; sd: number; verdict: Verdict }[];
  /** A one-paragraph plain-text statement. */
  statement: string;
}

function list(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The threshold arithmetic shown in the statement, e.g. "0.780 − 0.060 = 0.720". */
function thresholdText(metric: MetricInfo, band: NoiseBand): string {
  const d = metric.digits;
  if (metric.kind === "similarity")
    return `${fixed(band.center, d)} \u2212 ${fixed(band.half, d)} = ${fixed(band.lo, d)}`;
  if (metric.kind === "divergence") return `${fixed(band.center, d)} + ${fixed(band.half, d)} = ${fixed(band.hi, d)}`;
  return `${fixed(band.center, d)} \u00b1 ${fixed(band.half, d)}`;
}

/** Judges every augmentation (rows other than the baseline) on one metric and words the outcome. */
export function judgeMetric(
  metric: MetricInfo,
  rows: readonly MetricRow[],
  noiseFloor: NoiseFloor | null,
  baselineSet: string,
): MetricJudgement {
  const baseline = rows.find((r) => r.set === baselineSet);
  const band = noiseBand(metric, noiseFloor, baseline);
  const items = rows
    .filter((r) => r.set !== baselineSet)
    .map((r) => ({
      set: r.set,
      value: r[metric.key],
      sd: r[metric.sdKey],
      verdict: judge(metric, r[metric.key], band),
    }));
  const d = metric.digits;
  const named = (v: Verdict) => items.filter((i) => i.verdict === v);
  const withValues = (xs: typeof items) => list(xs.map((i) => `${setLabel(i.set)} (${fixed(i.value, d)})`));
  const names = (xs: typeof items) => list(xs.map((i) => setLabel(i.set)));
  const name = metric.short;
  const parts: string[] = [];
  if (!band) {
    const why = !noiseFloor
      ? "no second-seed baseline was trained"
      : metric.kind === "entropy" && !baseline
        ? `the baseline (${setLabel(baselineSet)}) has no ${metric.name} row`
        : "a noise-floor number is missing";
    return { metric, band, items, statement: `${name}: cannot be judged against the seed noise floor (${why}).` };
  }
  const beyond = named("beyond");
  const within = named("within");
  const closer = named("closer");
  const unknown = named("unknown");
  const verb = (xs: unknown[], one: string, many: string) => (xs.length === 1 ? one : many);
  if (metric.kind === "entropy") {
    const unit = metric.unit ? ` ${metric.unit}` : "";
    const base = `${setLabel(baselineSet)} (${fixed(band.center, d)}${unit})`;
    const tol = `the seed tolerance (${fixed(band.half, d)})`;
    const up = beyond.filter((i) => direction(i.value, band) === "higher");
    const down = beyond.filter((i) => direction(i.value, band) === "lower");
    if (up.length)
      parts.push(
        `${withValues(up)} ${verb(up, "has", "have")} higher ${metric.name} than ${base} by more than ${tol}: more diffuse maps, a larger change than retraining makes.`,
      );
    if (down.length)
      parts.push(
        `${withValues(down)} ${verb(down, "has", "have")} lower ${metric.name} than ${base} by more than ${tol}: more concentrated maps, a larger change than retraining makes.`,
      );
    if (within.length)
      parts.push(
        `${names(within)} ${verb(within, "stays", "stay")} within ${fixed(band.center, d)} \u00b1 ${fixed(band.half, d)}${unit}.`,
      );
  } else {
    const cmp = metric.kind === "similarity" ? "below" : "above";
    const limit = thresholdText(metric, band);
    if (beyond.length)
      parts.push(
        `${withValues(beyond)} ${verb(beyond, "lies", "lie")} ${cmp} the noise floor's ${name} ${metric.kind === "similarity" ? "\u2212" : "+"} sd (${limit}): ${verb(beyond, "it moves", "they move")} saliency more than retraining does.`,
      );
    if (within.length)
      parts.push(
        `${names(within)} ${verb(within, "stays", "stay")} within the seed noise (${name} ${fixed(band.center, d)} \u00b1 ${fixed(band.half, d)}).`,
      );
    if (closer.length)
      parts.push(
        `${withValues(closer)} ${verb(closer, "is", "are")} closer to the baseline than the retrained baseline itself.`,
      );
  }
  if (unknown.length) parts.push(`${names(unknown)}: ${MISSING} (value missing).`);
  if (items.length === 0) parts.push("No augmented model to judge.");
  return { metric, band, items, statement: `${name}: ${parts.join(" ")}` };
}
