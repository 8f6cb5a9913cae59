// Paired tests and intervals over differences d_i = treatment_i - control_i, one per unit of
// replication (a training run, or a query image of one run). Every randomised step draws from the
// Rng it is given (augsal's seeded generator), so results are the same every run.
import type { Rng } from "../core/rng.js";
import { averageRanks, mean, quantileSorted, sd } from "./basic.js";
import { normalTwoSided, tQuantile, tTwoSided } from "./dist.js";

export interface Interval {
  lo: number;
  hi: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  method: string;
}

export interface TResult {
  n: number;
  mean: number;
  sd: number;
  se: number;
  df: number;
  /** t statistic of H0: mean difference = 0. */
  t: number;
  /** Two-sided p (scipy.stats.ttest_1samp / ttest_rel). */
  p: number;
  /** mean ± t_{(1+level)/2, n-1} · sd / √n. */
  interval: Interval;
}

/** One-sample (paired) t-test and t-interval of the mean difference. n < 2 gives NaN. */
export function pairedT(d: ArrayLike<number>, level = 0.95): TResult {
  const n = d.length;
  const m = mean(d);
  const s = sd(d);
  const se = s / Math.sqrt(n);
  const df = n - 1;
  if (n < 2) {
    return { n, mean: m, sd: NaN, se: NaN, df, t: NaN, p: NaN, interval: { lo: NaN, hi: NaN, level, method: "t" } };
  }
  const q = tQuantile((1 + level) / 2, df);
  let t: number;
  let p: number;
  if (se === 0) {
    // every difference equal: no variance to test against (scipy gives nan for 0/0, inf otherwise)
    t = m === 0 ? NaN : m > 0 ? Infinity : -Infinity;
    p = m === 0 ? NaN : 0;
  } else {
    t = m / se;
    p = tTwoSided(t, df);
  }
  return { n, mean: m, sd: s, se, df, t, p, interval: { lo: m - q * se, hi: m + q * se, level, method: "t" } };
}

export interface BootstrapOptions {
  /** Resamples (default 9999, scipy.stats.bootstrap's default). */
  reps?: number;
  level?: number;
}

/** Percentile bootstrap interval (Efron & Tibshirani 1993, ch. 13) of a statistic of n units: each
 *  resample draws n unit indices with replacement from `rng`; the interval is the (1-level)/2 and
 *  (1+level)/2 linear-interpolation quantiles of the replicates. Resampling units (runs, not queries
 *  within a run) is what makes it an interval over the unit of replication. */
export function bootstrapUnits(
  n: number,
  stat: (indices: Int32Array) => number,
  rng: Rng,
  opts: BootstrapOptions = {},
): Interval & { reps: number; replicates: number } {
  const reps = opts.reps ?? 9999;
  const level = opts.level ?? 0.95;
  if (n < 1) return { lo: NaN, hi: NaN, level, method: "percentile bootstrap", reps, replicates: 0 };
  const values: number[] = [];
  const idx = new Int32Array(n);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) idx[i] = rng.below(n);
    const v = stat(idx);
    if (!Number.isNaN(v)) values.push(v); // a degenerate resample (e.g. a constant one for a correlation)
  }
  values.sort((a, b) => a - b);
  return {
    lo: quantileSorted(values, (1 - level) / 2),
    hi: quantileSorted(values, (1 + level) / 2),
    level,
    method: "percentile bootstrap",
    reps,
    replicates: values.length,
  };
}

/** Percentile bootstrap interval of the mean difference. */
export function bootstrapMean(d: ArrayLike<number>, rng: Rng, opts: BootstrapOptions = {}) {
  return bootstrapUnits(
    d.length,
    (ix) => {
      let s = 0;
      for (let i = 0; i < ix.length; i++) s += d[ix[i]];
      return s / ix.length;
    },
    rng,
    opts,
  );
}

/** scipy.stats.permutation_test's tolerance: values within 100 ulps (relative) of the observed
 *  statistic count as equal to it, so a sum taken in another order is not a different outcome. */
const REL_EPS = 2.220446049250313e-16 * 100;

export interface PermutationResult {
  statistic: number;
  p: number;
  /** "exact" (every sign pattern / permutation) or "monte carlo" (seeded resamples). */
  method: "exact" | "monte carlo";
  /** Sign patterns or permutations evaluated. */
  resamples: number;
}

/** Sign-flip permutation test of H0: the differences are symmetric about 0 (Fisher 1935; Good 2005,
 *  ch. 3). Statistic: the mean difference; two-sided p = share of sign patterns with |mean| >= the
 *  observed |mean|. Every one of the 2^n patterns for n <= maxExact (default 20), else `reps` seeded
 *  patterns with p = (1 + hits) / (1 + reps) (Phipson & Smyth 2010). Zeros are kept (they flip to
 *  themselves). */
export function signFlip(
  d: ArrayLike<number>,
  rng: Rng | null,
  opts: { maxExact?: number; reps?: number } = {},
): PermutationResult {
  const n = d.length;
  const maxExact = opts.maxExact ?? 20;
  const obs = mean(d);
  if (n === 0) return { statistic: NaN, p: NaN, method: "exact", resamples: 0 };
  const target = Math.abs(obs) * (1 - REL_EPS);
  if (n <= maxExact) {
    const total = 2 ** n;
    let hits = 0;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += mask & (1 << i) ? -d[i] : d[i];
      if (Math.abs(s / n) >= target) hits++;
    }
    return { statistic: obs, p: hits / total, method: "exact", resamples: total };
  }
  if (!rng) throw new Error(`signFlip: n = ${n} > ${maxExact} needs a seeded generator for Monte Carlo`);
  const reps = opts.reps ?? 9999;
  let hits = 0;
  for (let r = 0; r < reps; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rng.below(2) ? -d[i] : d[i];
    if (Math.abs(s / n) >= target) hits++;
  }
  return { statistic: obs, p: (1 + hits) / (1 + reps), method: "monte carlo", resamples: reps };
}

export interface WilcoxonResult {
  /** min(W+, W-), scipy's two-sided statistic. */
  statistic: number;
  wPlus: number;
  /** Non-zero differences. */
  n: number;
  p: number;
  /** "exact" null distribution, "exact sign-flip" of W+ (ties or zeros, n <= 13), or "normal" (z with
   *  tie and continuity correction). */
  method: "exact" | "exact sign-flip" | "normal";
  z?: number;
}

/** Null distribution of W+ for n untied non-zero differences: counts[s] = subsets of {1..n} summing
 *  to s (exact in f64 up to n = 50: at most 2^50 < 2^53). */
function wilcoxonCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const c = new Float64Array(max + 1);
  c[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = (k * (k + 1)) / 2; s >= k; s--) c[s] += c[s - k];
  return c;
}

/** Wilcoxon signed-rank test, two-sided, as scipy.stats.wilcoxon(d, correction=True) (zero_method =
 *  "wilcox": zeros dropped; the continuity correction is R's wilcox.test default, not scipy's;
 *  method = "auto" as of scipy 1.13+): n > 50 → normal approximation;
 *  no ties and no zeros → exact null distribution; otherwise n <= 13 (n counting zeros) → exact
 *  enumeration of the 2^n sign patterns of W+, else normal approximation with the tie-corrected
 *  variance and the 0.5 continuity correction. */
export function wilcoxon(d: ArrayLike<number>): WilcoxonResult {
  const nAll = d.length;
  const nz: number[] = [];
  for (let i = 0; i < nAll; i++) {
    if (Number.isNaN(d[i])) throw new RangeError(`wilcoxon: difference ${i} is NaN`);
    if (d[i] !== 0) nz.push(d[i]);
  }
  const n = nz.length;
  const zeros = nAll - n;
  if (n === 0) return { statistic: 0, wPlus: 0, n, p: NaN, method: "normal" };
  const { ranks, ties } = averageRanks(nz.map(Math.abs));
  let wPlus = 0;
  let wMinus = 0;
  for (let i = 0; i < n; i++) {
    if (nz[i] > 0) wPlus += ranks[i];
    else wMinus += ranks[i];
  }
  const statistic = Math.min(wPlus, wMinus);
  const hasTies = ties.some((t) => t > 1);
  if (nAll <= 50 && !hasTies && zeros === 0) {
    const c = wilcoxonCounts(n);
    const total = 2 ** n;
    let le = 0;
    let ge = 0;
    const w = Math.round(wPlus); // integral without ties
    for (let s = 0; s < c.length; s++) {
      if (s <= w) le += c[s];
      if (s >= w) ge += c[s];
    }
    return { statistic, wPlus, n, p: Math.min(1, (2 * Math.min(le, ge)) / total), method: "exact" };
  }
  if (nAll <= 13) {
    // every sign pattern of the nAll differences (zeros included: they add nothing to W+)
    const signed: number[] = [];
    for (let i = 0, j = 0; i < nAll; i++) signed.push(d[i] === 0 ? 0 : ranks[j++]);
    const total = 2 ** nAll;
    const gamma = Math.abs(wPlus) * REL_EPS;
    let le = 0;
    let ge = 0;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let i = 0; i < nAll; i++) if (!(mask & (1 << i))) s += signed[i];
      if (s <= wPlus + gamma) le++;
      if (s >= wPlus - gamma) ge++;
    }
    return { statistic, wPlus, n, p: Math.min(1, (2 * Math.min(le, ge)) / total), method: "exact sign-flip" };
  }
  const mn = (n * (n + 1)) / 4;
  let tieSum = 0;
  for (const t of ties) tieSum += t * t * t - t;
  const se = Math.sqrt((n * (n + 1) * (2 * n + 1) - tieSum / 2) / 24);
  let z = (wPlus - mn) / se;
  z -= (Math.sign(z) * 0.5) / se;
  return { statistic, wPlus, n, p: normalTwoSided(z), method: "normal", z: -Math.abs(z) };
}
