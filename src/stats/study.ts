// The statistics of one study (issue 13), as a pure function of tidy rows: every set x metric
// compared with the primary noise floor, accuracy compared with Orig and Repeat, and the poster's
// three claims as tests. Portable: plain rows in, a JSON-ready section out; every resample draws
// from a generator stream named by the test it serves (withRng(name, ...)), so adding a set or a
// metric changes no other test's numbers.
//
// Methods (stated in the output too):
//   interval  : 95% t-interval of the mean paired difference (primary); a percentile bootstrap over
//               the same units beside it (9999 resamples).
//   test      : exact sign-flip permutation test of the mean difference (every one of the 2^n sign
//               patterns for n <= 20, seeded Monte Carlo beyond) is the primary p; the paired t-test
//               and the Wilcoxon signed-rank test (scipy's rules) beside it.
//   correction: Holm across the set x metric map tests of each attribution method (one family per
//               method: each method is its own reading of the same question, and pooling seven methods
//               into one family would only make every test weaker), and separately across the
//               accuracy tests and across the convergence tests.
//   unit      : the training run (per-run mean over queries) when R >= 3, else the query images of
//               the first run (a statement about that training run only).
import type { Rng } from "../core/rng.js";
import { mean } from "./basic.js";
import { bootstrapMean, bootstrapUnits, pairedT, signFlip, wilcoxon, type Interval } from "./paired.js";
import { friedman, holm, spearman, spearmanTest } from "./multi.js";
import { minAttainableP, unitsNeeded } from "./power.js";

/** One per-query value: a model's map compared with Orig's map of the same query (CC, KL, SIM,
 *  Spearman), or a property of the model's own map (the entropies). */
export interface TidyMetricRow {
  /** The run's seed. */
  run: number;
  set: string;
  method: string;
  query: number;
  label: number;
  metric: string;
  value: number;
}

/** One trained model's accuracy and validation curve. */
export interface ModelRow {
  run: number;
  set: string;
  bestVal: number;
  bestEpoch: number;
  test: number;
  valAcc: number[];
}

export type MetricKind = "similarity" | "divergence" | "entropy";

/** How to read each comparison metric (higher CC / SIM / Spearman = closer to Orig; higher KL =
 *  further; entropies describe the model's own map). */
export const METRIC_KIND: Readonly<Record<string, MetricKind>> = {
  cc: "similarity",
  kl: "divergence",
  sim: "similarity",
  spearman: "similarity",
  entropySpatial: "entropy",
  entropyHist: "entropy",
};

export interface StudyDesign {
  /** "shared": every model of a run starts from Orig's initial weights (the paired design);
   *  "independent": every model has its own. */
  init: "shared" | "independent";
  /** The set every map is compared with. */
  baseline: string;
  /** The matched-size control (Orig repeated with the identity transform), or null. */
  repeat: string | null;
  /** The noise floors trained (e.g. ["reorder", "retrain"]) and the one tests compare with. */
  floors: string[];
  primaryFloor: string;
  /** Sets tested against the floor (Repeat and the augmentations). */
  sets: string[];
  methods: string[];
  metrics: string[];
  runSeeds: number[];
  queries: number;
  classes: number;
}

export interface PairedComparison {
  family: "maps" | "accuracy" | "convergence";
  name: string;
  method: string | null;
  set: string;
  metric: string;
  /** The control: a floor, "orig" or "repeat". */
  against: string;
  unit: "run" | "query";
  n: number;
  /** Per-unit values (the test's inputs), in unit order (runs by seed, or queries by index). */
  inputs: { units: number[]; treatment: number[]; control: number[] };
  /** Mean of treatment - control. */
  meanDiff: number;
  interval: Interval;
  bootstrap: Interval & { reps: number };
  test: { name: "sign-flip"; p: number; method: string; resamples: number };
  t: { t: number; df: number; p: number; pHolm: number };
  wilcoxon: { statistic: number; p: number; method: string };
  /** Primary p (the sign-flip test's), raw and Holm-adjusted within the family. */
  p: number;
  pHolm: number;
  /** Smallest Holm-adjusted p this n could give (family size x smallest attainable raw p). */
  minHolmP: number;
  reachable: boolean;
  /** Units needed for the sign-flip test to be able to reach Holm p < alpha in this family. */
  unitsNeeded: number;
  verdict: string;
}

export interface StudyStats {
  design: StudyDesign & {
    unit: "run" | "query";
    unitRun: number | null;
    alpha: number;
    level: number;
    note: string;
    varianceCovered: string;
  };
  methods: { interval: string; bootstrap: string; test: string; beside: string; correction: string };
  maps: PairedComparison[];
  accuracy: PairedComparison[];
  claims: {
    saliencyVsAccuracy: {
      metric: string;
      method: string;
      n: number;
      rho: number;
      p: number;
      pMethod: string;
      interval: (Interval & { reps: number }) | null;
      inputs: { run: number; set: string; x: number; y: number }[];
      verdict: string;
    }[];
    entropyVariation: {
      metric: string;
      method: string;
      treatments: string[];
      blocks: number;
      statistic: number;
      df: number;
      p: number;
      verdict: string;
    }[];
    convergence: {
      threshold: number;
      perSet: { set: string; n: number; mean: number; interval: Interval; values: number[] }[];
      vsBaseline: PairedComparison[];
    };
  };
  nearChance: { threshold: number; models: { run: number; set: string; bestVal: number }[]; warning: string | null };
}

export interface StudyStatsOptions {
  alpha?: number;
  level?: number;
  reps?: number;
  /** A generator stream named by the test it serves. */
  withRng: <T>(name: string, fn: (rng: Rng) => T) => T;
}

/** The first epoch (1-based) whose validation accuracy reaches `share` of the best one. */
export function epochsToReach(valAcc: readonly number[], share = 0.95): number {
  if (valAcc.length === 0) return NaN;
  let best = -Infinity;
  for (const v of valAcc) best = Math.max(best, v);
  for (let i = 0; i < valAcc.length; i++) if (valAcc[i] >= share * best) return i + 1;
  return NaN;
}

function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  return x.toFixed(digits);
}

/** Plain-words direction of a significant difference for one metric. */
function direction(metric: string, diff: number, against: string): string {
  const kind = METRIC_KIND[metric] ?? "similarity";
  if (kind === "entropy") return diff > 0 ? `higher ${metric} than ${against}` : `lower ${metric} than ${against}`;
  const closer = kind === "similarity" ? diff > 0 : diff < 0;
  return `${closer ? "closer to" : "further from"} the baseline than the ${against} floor`;
}

interface PairInput {
  family: PairedComparison["family"];
  name: string;
  method: string | null;
  set: string;
  metric: string;
  against: string;
  unit: "run" | "query";
  units: number[];
  treatment: number[];
  control: number[];
}

/** Everything but the family-wide numbers (Holm, reachability, verdict). */
function comparePair(inp: PairInput, o: Required<Omit<StudyStatsOptions, "withRng">> & StudyStatsOptions) {
  // pairs with a missing value on either side are left out (a constant map has no CC)
  const units: number[] = [];
  const tr: number[] = [];
  const co: number[] = [];
  for (let i = 0; i < inp.units.length; i++) {
    if (Number.isFinite(inp.treatment[i]) && Number.isFinite(inp.control[i])) {
      units.push(inp.units[i]);
      tr.push(inp.treatment[i]);
      co.push(inp.control[i]);
    }
  }
  const d = tr.map((v, i) => v - co[i]);
  const n = d.length;
  const t = pairedT(d, o.level);
  const boot =
    n >= 2
      ? o.withRng(`${inp.name}/bootstrap`, (rng) => bootstrapMean(d, rng, { reps: o.reps, level: o.level }))
      : { lo: NaN, hi: NaN, level: o.level, method: "percentile bootstrap", reps: 0 };
  const sf =
    n >= 1
      ? o.withRng(`${inp.name}/sign-flip`, (rng) => signFlip(d, rng, { reps: o.reps }))
      : { statistic: NaN, p: NaN, method: "exact", resamples: 0 };
  const w = n >= 1 ? wilcoxon(d) : { statistic: NaN, p: NaN, method: "exact" };
  return {
    family: inp.family,
    name: inp.name,
    method: inp.method,
    set: inp.set,
    metric: inp.metric,
    against: inp.against,
    unit: inp.unit,
    n,
    inputs: { units, treatment: tr, control: co },
    meanDiff: n ? mean(d) : NaN,
    interval: t.interval,
    bootstrap: { lo: boot.lo, hi: boot.hi, level: boot.level, method: boot.method, reps: boot.reps },
    test: { name: "sign-flip" as const, p: sf.p, method: sf.method, resamples: sf.resamples },
    t: { t: t.t, df: t.df, p: t.p, pHolm: NaN },
    wilcoxon: { statistic: w.statistic, p: w.p, method: w.method },
    p: sf.p,
    pHolm: NaN,
    minHolmP: NaN,
    reachable: false,
    unitsNeeded: NaN,
    verdict: "",
  } satisfies PairedComparison;
}

/** Holm within a family, then reachability and verdicts. */
function finishFamily(
  tests: PairedComparison[],
  alpha: number,
  reps: number,
  say: (t: PairedComparison) => string,
): void {
  const m = tests.filter((t) => Number.isFinite(t.p)).length;
  const adj = holm(tests.map((t) => t.p));
  const adjT = holm(tests.map((t) => t.t.p));
  tests.forEach((t, i) => {
    t.pHolm = adj[i];
    t.t.pHolm = adjT[i];
    // beyond 20 units the Monte Carlo p cannot go below 1 / (reps + 1)
    const minP = t.n > 20 ? 1 / (reps + 1) : minAttainableP("sign-flip", t.n);
    t.minHolmP = Math.min(1, Math.max(m, 1) * minP);
    t.reachable = t.minHolmP < alpha;
    t.unitsNeeded = unitsNeeded("sign-flip", alpha, Math.max(m, 1));
    const unitName = t.unit === "run" ? "runs" : "queries";
    if (t.n === 0) t.verdict = "no data";
    else if (!t.reachable) {
      t.verdict =
        `cannot tell at n = ${t.n} ${unitName}: the smallest attainable Holm p is ${fmt(t.minHolmP)}; ` +
        `needs n >= ${t.unitsNeeded} ${unitName}`;
    } else if (t.pHolm < alpha) t.verdict = say(t);
    else t.verdict = "no difference shown";
  });
}

/** The study's statistics section. */
export function studyStats(
  design: StudyDesign,
  metrics: TidyMetricRow[],
  models: ModelRow[],
  opts: StudyStatsOptions,
): StudyStats {
  const o = { alpha: 0.05, level: 0.95, reps: 9999, ...opts };
  const R = design.runSeeds.length;
  const unit: "run" | "query" = R >= 3 ? "run" : "query";
  const unitRun = unit === "query" ? design.runSeeds[0] : null;
  // index the tidy rows: run|set|method|metric -> values by query
  const byKey = new Map<string, Map<number, number>>();
  for (const r of metrics) {
    const k = `${r.run}|${r.set}|${r.method}|${r.metric}`;
    if (!byKey.has(k)) byKey.set(k, new Map());
    byKey.get(k)!.set(r.query, r.value);
  }
  const queryIds = [...new Set(metrics.map((r) => r.query))].sort((a, b) => a - b);
  const values = (run: number, set: string, method: string, metric: string) =>
    queryIds.map((q) => byKey.get(`${run}|${set}|${method}|${metric}`)?.get(q) ?? NaN);
  const runMean = (run: number, set: string, method: string, metric: string) => {
    const v = values(run, set, method, metric).filter(Number.isFinite);
    return v.length ? mean(v) : NaN;
  };
  const observations = (set: string, method: string, metric: string) =>
    unit === "run"
      ? { units: design.runSeeds, v: design.runSeeds.map((r) => runMean(r, set, method, metric)) }
      : { units: queryIds, v: values(unitRun!, set, method, metric) };

  // ---- maps: every set x metric x method against the primary floor
  const maps: PairedComparison[] = [];
  for (const method of design.methods) {
    for (const set of design.sets) {
      for (const metric of design.metrics) {
        const a = observations(set, method, metric);
        const b = observations(design.primaryFloor, method, metric);
        maps.push(
          comparePair(
            {
              family: "maps",
              name: `maps/${method}/${set}/${metric}/${design.primaryFloor}`,
              method,
              set,
              metric,
              against: design.primaryFloor,
              unit,
              units: a.units,
              treatment: a.v,
              control: b.v,
            },
            o,
          ),
        );
      }
    }
  }
  for (const method of [...new Set(maps.map((t) => t.method))]) {
    const family = maps.filter((t) => t.method === method);
    finishFamily(family, o.alpha, o.reps, (t) => direction(t.metric, t.meanDiff, t.against));
  }

  // ---- accuracy: across runs, against Orig and against Repeat
  const model = new Map(models.map((m) => [`${m.run}|${m.set}`, m]));
  const acc = (run: number, set: string) => model.get(`${run}|${set}`)?.test ?? NaN;
  const accuracy: PairedComparison[] = [];
  const controls = [design.baseline, ...(design.repeat ? [design.repeat] : [])];
  for (const set of design.sets) {
    for (const against of controls) {
      if (set === against) continue;
      accuracy.push(
        comparePair(
          {
            family: "accuracy",
            name: `accuracy/${set}/${against}`,
            method: null,
            set,
            metric: "test accuracy",
            against,
            unit: "run",
            units: design.runSeeds,
            treatment: design.runSeeds.map((r) => acc(r, set)),
            control: design.runSeeds.map((r) => acc(r, against)),
          },
          o,
        ),
      );
    }
  }
  finishFamily(
    accuracy,
    o.alpha,
    o.reps,
    (t) => `${t.meanDiff > 0 ? "higher" : "lower"} test accuracy than ${t.against}`,
  );

  // ---- claim 1: saliency change vs accuracy change, over sets x runs
  const claim1: StudyStats["claims"]["saliencyVsAccuracy"] = [];
  for (const metric of ["cc", "kl"].filter((m) => design.metrics.includes(m))) {
    for (const method of design.methods) {
      const pts: { run: number; set: string; x: number; y: number }[] = [];
      for (const run of design.runSeeds) {
        for (const set of design.sets) {
          const x = runMean(run, set, method, metric);
          const y = acc(run, set) - acc(run, design.baseline);
          if (Number.isFinite(x) && Number.isFinite(y)) pts.push({ run, set, x, y });
        }
      }
      const name = `claims/saliency-vs-accuracy/${method}/${metric}`;
      const test = o.withRng(`${name}/permutation`, (rng) =>
        spearmanTest(
          pts.map((p) => p.x),
          pts.map((p) => p.y),
          rng,
          {
            reps: o.reps,
            strata: R > 1 ? pts.map((p) => p.run) : undefined,
          },
        ),
      );
      let interval: (Interval & { reps: number }) | null = null;
      if (R >= 3) {
        const runs = design.runSeeds;
        const b = o.withRng(`${name}/bootstrap`, (rng) =>
          bootstrapUnits(
            runs.length,
            (ix) => {
              const xs: number[] = [];
              const ys: number[] = [];
              for (const i of ix)
                for (const p of pts)
                  if (p.run === runs[i]) {
                    xs.push(p.x);
                    ys.push(p.y);
                  }
              return spearman(xs, ys);
            },
            rng,
            { reps: o.reps, level: o.level },
          ),
        );
        interval = { lo: b.lo, hi: b.hi, level: b.level, method: "percentile bootstrap over runs", reps: b.reps };
      }
      const verdict = !Number.isFinite(test.p)
        ? "no test (a constant variable)"
        : test.p < o.alpha
          ? `rank correlation ${fmt(test.rho)} (p = ${fmt(test.p, 4)}): ${metric.toUpperCase()} change and accuracy ` +
            "gain are related"
          : `no rank correlation shown (rho ${fmt(test.rho)}, p = ${fmt(test.p, 4)})`;
      claim1.push({
        metric,
        method,
        n: pts.length,
        rho: test.rho,
        p: test.p,
        pMethod: test.method,
        interval,
        inputs: pts,
        verdict: R < 3 ? `${verdict}; one run's sets only, no interval over runs (R < 3)` : verdict,
      });
    }
  }

  // ---- claim 2: does entropy vary across models? Friedman, blocks = run x query
  const claim2: StudyStats["claims"]["entropyVariation"] = [];
  const treatments = [design.baseline, ...design.sets];
  for (const metric of ["entropySpatial", "entropyHist"].filter((m) => design.metrics.includes(m))) {
    for (const method of design.methods) {
      const blocks: number[][] = [];
      for (const run of design.runSeeds) {
        const cols = treatments.map((s) => values(run, s, method, metric));
        for (let q = 0; q < queryIds.length; q++) {
          const row = cols.map((c) => c[q]);
          if (row.every(Number.isFinite)) blocks.push(row);
        }
      }
      if (blocks.length === 0 || treatments.length < 3) continue;
      const f = friedman(blocks);
      claim2.push({
        metric,
        method,
        treatments,
        blocks: blocks.length,
        statistic: f.statistic,
        df: f.df,
        p: f.p,
        verdict:
          f.p < o.alpha
            ? `${metric} differs across models (Friedman p = ${fmt(f.p, 4)}): the poster's "no significant variation" ` +
              "is not supported"
            : `no significant variation shown (Friedman p = ${fmt(f.p, 4)})`,
      });
    }
  }

  // ---- claim 3: convergence, epochs to 95% of the best validation accuracy
  const share = 0.95;
  const epochs = (run: number, set: string) => {
    const m = model.get(`${run}|${set}`);
    return m ? epochsToReach(m.valAcc, share) : NaN;
  };
  const perSet = [design.baseline, ...design.sets].map((set) => {
    const v = design.runSeeds.map((r) => epochs(r, set)).filter(Number.isFinite);
    const t = pairedT(v, o.level);
    return { set, n: v.length, mean: v.length ? mean(v) : NaN, interval: t.interval, values: v };
  });
  const vsBaseline: PairedComparison[] = design.sets.map((set) =>
    comparePair(
      {
        family: "convergence",
        name: `convergence/${set}/${design.baseline}`,
        method: null,
        set,
        metric: `epochs to ${share * 100}% of best val`,
        against: design.baseline,
        unit: "run",
        units: design.runSeeds,
        treatment: design.runSeeds.map((r) => epochs(r, set)),
        control: design.runSeeds.map((r) => epochs(r, design.baseline)),
      },
      o,
    ),
  );
  finishFamily(
    vsBaseline,
    o.alpha,
    o.reps,
    (t) => `converges ${t.meanDiff > 0 ? "slower" : "faster"} than ${t.against}`,
  );

  // ---- near chance
  const threshold = 2 / design.classes;
  const low = models.filter((m) => m.bestVal < threshold).map((m) => ({ run: m.run, set: m.set, bestVal: m.bestVal }));
  const warning = low.length
    ? `${low.length} of ${models.length} models have validation accuracy below twice chance (${fmt(threshold, 2)}): ` +
      "their saliency maps say little about what a trained classifier attends to, so the map comparison is " +
      "not meaningful."
    : null;

  const floorNote =
    design.init === "shared"
      ? `Every model of a run starts from Orig's initial weights (shared initialisation), so the matching noise floor ` +
        `is '${design.primaryFloor}' (Orig retrained with the same initial weights and another data order).`
      : `Every model has its own initial weights (independent initialisation), so the matching noise floor is ` +
        `'${design.primaryFloor}' (Orig retrained with new initial weights and data order).`;
  const unitNote =
    unit === "run"
      ? `The unit of replication is the training run: ${R} runs (seeds ${design.runSeeds.join(", ")}), ` +
        "each observation " +
        "a run's mean over the query images."
      : `With ${R} run${R === 1 ? "" : "s"} (< 3), the map tests are across the ${queryIds.length} query images of run ` +
        `${unitRun}: they speak about this training run only, not about training in general.`;
  return {
    design: {
      ...design,
      unit,
      unitRun,
      alpha: o.alpha,
      level: o.level,
      note: `${floorNote} ${unitNote}`,
      varianceCovered:
        unit === "run"
          ? "Intervals cover the variance across training runs (initial weights and data order) at one data split."
          : "Intervals cover the variance across query images of one trained model; not across runs or splits.",
    },
    methods: {
      interval: `${o.level * 100}% t-interval of the mean paired difference`,
      bootstrap: `percentile bootstrap over the units (${o.reps} resamples), beside the t-interval`,
      test:
        "exact sign-flip permutation test of the mean paired difference (all 2^n patterns for n <= 20, " +
        `${o.reps} seeded Monte Carlo patterns beyond), two-sided`,
      beside: "paired t-test; Wilcoxon signed-rank (scipy.stats.wilcoxon rules, continuity correction on)",
      correction:
        "Holm across the set x metric map tests of each method (one family per method); separately " +
        "across the accuracy tests and " +
        "across the convergence tests",
    },
    maps,
    accuracy,
    claims: {
      saliencyVsAccuracy: claim1,
      entropyVariation: claim2,
      convergence: { threshold: share, perSet, vsBaseline },
    },
    nearChance: { threshold, models: low, warning },
  };
}
