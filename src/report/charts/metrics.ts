// Figures 3 and 5: the saliency metrics per model, mean ± sd over the query images, against the
// seed noise floor. Figure 3 (entropy) draws the largest possible spatial entropy, ln of the map's
// pixel count, so "how diffuse" reads off the axis; its axis fits the data instead of starting at 0.
import { fixed } from "../format.js";
import { metricInfo, noiseBand } from "../verdict.js";
import { BASELINE_SET, sortBySet, type MetricRow, type NoiseFloor } from "../types.js";
import { dotChart, type DotPanel, type DotRef } from "./dots.js";
import { modelLabel, type Spec } from "./style.js";

export interface MetricChartInput {
  metrics: readonly MetricRow[];
  noiseFloor: NoiseFloor | null;
  baselineSet?: string;
}

function panel(
  input: MetricChartInput,
  key: "entropySpatial" | "entropyHist" | "cc" | "kl",
  title: string,
  xTitle: string,
  withBaseline: boolean,
): DotPanel {
  const base = input.baselineSet ?? BASELINE_SET;
  const m = metricInfo(key);
  const rows = sortBySet(input.metrics).filter((r) => withBaseline || r.set !== base);
  const band = noiseBand(
    m,
    input.noiseFloor,
    input.metrics.find((r) => r.set === base),
  );
  const refs: DotRef[] = [];
  if (band) {
    const what =
      m.kind === "entropy"
        ? `${modelLabel(base)} ± floor tolerance`
        : `noise floor ± sd (${modelLabel(base)} retrained vs ${modelLabel(base)})`;
    refs.push({ kind: "band", lo: band.lo, hi: band.hi, label: what });
    refs.push({ kind: "rule", value: band.center, label: m.kind === "entropy" ? modelLabel(base) : "floor" });
  }
  return {
    title,
    xTitle,
    rows: rows.map((r) => ({
      cat: modelLabel(r.set),
      set: r.set,
      value: r[m.key],
      lo: r[m.key] - Math.abs(r[m.sdKey]),
      hi: r[m.key] + Math.abs(r[m.sdKey]),
    })),
    refs,
  };
}

/** The largest spatial entropy of a map of `pixels` pixels: ln(pixels) nats (a uniform map). */
export function maxSpatialEntropy(pixels: number): number {
  return Math.log(pixels);
}

/**
 * Figure 3: (a) spatial entropy in nats (the map as a distribution over pixels) with its maximum
 * ln(pixels), (b) histogram entropy in bits (the distribution of the map's values).
 */
export function entropyChart(
  input: MetricChartInput,
  opts: { pixels?: number; friedman?: string[]; width?: number } = {},
): Spec {
  const a = panel(input, "entropySpatial", "(a) Spatial entropy", "Entropy (nats)", true);
  if (opts.pixels && opts.pixels > 1) {
    const max = maxSpatialEntropy(opts.pixels);
    a.refs = [...(a.refs ?? []), { kind: "limit", value: max, label: `max ln ${opts.pixels} = ${fixed(max, 2)}` }];
  }
  const b = panel(input, "entropyHist", "(b) Histogram entropy", "Entropy (bits)", true);
  const sets = input.metrics.map((r) => r.set);
  return dotChart([a, b], sets, {
    title: {
      text: "Figure 3: Shannon entropy of the saliency maps",
      ...(opts.friedman?.length ? { subtitle: opts.friedman } : {}),
    } as unknown as string,
    description: `Spatial entropy (nats) and histogram entropy (bits) per model, mean ± sd over the query images.`,
    width: opts.width,
  });
}

/** Figure 5: CC and KL of each model's maps against the baseline's, with the seed noise floor. */
export function similarityChart(input: MetricChartInput, opts: { width?: number } = {}): Spec {
  const a = panel(input, "cc", "(a) Correlation with the baseline (CC), higher = more alike", "CC", false);
  const b = panel(input, "kl", "(b) KL divergence, lower = more alike", "KL", false);
  const sets = input.metrics.map((r) => r.set).filter((s) => s !== (input.baselineSet ?? BASELINE_SET));
  return dotChart([a, b], sets, {
    title: "Figure 5: CC and KL against the baseline saliency maps",
    description: `CC and KL per model against ${modelLabel(input.baselineSet ?? BASELINE_SET)}, mean ± sd, with the seed noise floor.`,
    width: opts.width,
  });
}
