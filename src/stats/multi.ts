// Tests over several sets at once: Holm's correction of a family of p-values, Spearman's rank
// correlation with a permutation p-value, and Friedman's test across treatments within blocks.
import type { Rng } from "../core/rng.js";
import { averageRanks, pearson } from "./basic.js";
import { chi2Sf } from "./dist.js";

/** Holm's step-down adjusted p-values (Holm 1979), as R's p.adjust(p, "holm"): sort ascending,
 *  p_(i) · (m - i + 1), running maximum, capped at 1, back in the input order. NaN entries are left
 *  NaN and do not count in m (R drops NA the same way). */
export function holm(p: ArrayLike<number>): number[] {
  const idx: number[] = [];
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i])) idx.push(i);
  idx.sort((a, b) => p[a] - p[b] || a - b);
  const m = idx.length;
  const out = Array.from({ length: p.length }, () => NaN);
  let run = 0;
  for (let k = 0; k < m; k++) {
    run = Math.max(run, Math.min(1, (m - k) * p[idx[k]]));
    out[idx[k]] = run;
  }
  return out;
}

/** Spearman's rho with ties: Pearson's r of the average ranks (scipy.stats.spearmanr). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new RangeError(`spearman: lengths differ (${x.length} vs ${y.length})`);
  return pearson(averageRanks(x).ranks, averageRanks(y).ranks);
}

/** scipy.stats.permutation_test's tolerance for "equal to the observed statistic". */
const REL_EPS = 2.220446049250313e-16 * 100;

export interface SpearmanTest {
  rho: number;
  n: number;
  p: number;
  method: "exact" | "monte carlo";
  resamples: number;
}

/** Spearman's rho and a two-sided permutation p: y's ranks are permuted against x's (within each
 *  stratum when `strata` is given, e.g. the training run, so the pairing by run is kept). Two-sided
 *  p as scipy.stats.permutation_test: twice the smaller tail (P(rho* <= rho), P(rho* >= rho)), capped
 *  at 1 (with ties the null of rho is not symmetric, so this is not the share of |rho*| >= |rho|).
 *  Every permutation when there is one stratum and n <= maxExact (default 8), else `reps` seeded
 *  permutations with each tail (1 + hits) / (1 + reps) (Phipson & Smyth 2010). */
export function spearmanTest(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rng: Rng | null,
  opts: { reps?: number; maxExact?: number; strata?: ArrayLike<number> } = {},
): SpearmanTest {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`spearmanTest: lengths differ (${n} vs ${y.length})`);
  const rx = averageRanks(x).ranks;
  const ry = averageRanks(y).ranks;
  const rho = pearson(rx, ry);
  if (Number.isNaN(rho)) return { rho, n, p: NaN, method: "exact", resamples: 0 };
  const gamma = Math.abs(rho) * REL_EPS;
  let le = 0;
  let ge = 0;
  const tally = (v: number) => {
    if (v <= rho + gamma) le++;
    if (v >= rho - gamma) ge++;
  };
  const perm = Float64Array.from(ry);
  const maxExact = opts.maxExact ?? 8;
  if (!opts.strata && n <= maxExact) {
    // Heap's algorithm visits all n! orders
    let total = 1;
    tally(pearson(rx, perm));
    const c = new Int32Array(n);
    for (let i = 1; i < n;) {
      if (c[i] < i) {
        const j = i % 2 === 0 ? 0 : c[i];
        const t = perm[j];
        perm[j] = perm[i];
        perm[i] = t;
        total++;
        tally(pearson(rx, perm));
        c[i]++;
        i = 1;
      } else {
        c[i] = 0;
        i++;
      }
    }
    return { rho, n, p: Math.min(1, (2 * Math.min(le, ge)) / total), method: "exact", resamples: total };
  }
  if (!rng) throw new Error(`spearmanTest: n = ${n} needs a seeded generator for Monte Carlo`);
  const reps = opts.reps ?? 9999;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const s = opts.strata ? opts.strata[i] : 0;
    if (!groups.has(s)) groups.set(s, []);
    groups.get(s)!.push(i);
  }
  const strata = [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k)!);
  for (let r = 0; r < reps; r++) {
    perm.set(ry);
    for (const members of strata) {
      for (let k = members.length - 1; k > 0; k--) {
        const j = rng.below(k + 1);
        const a = members[k];
        const b = members[j];
        const t = perm[a];
        perm[a] = perm[b];
        perm[b] = t;
      }
    }
    tally(pearson(rx, perm));
  }
  const p = Math.min(1, (2 * Math.min(le + 1, ge + 1)) / (reps + 1));
  return { rho, n, p, method: "monte carlo", resamples: reps };
}

export interface FriedmanResult {
  statistic: number;
  df: number;
  p: number;
  blocks: number;
  treatments: number;
}

/** Friedman's test (1937) of H0: the k treatments do not differ, over n blocks (rows of `data`, each
 *  with k values), with the tie correction, as scipy.stats.friedmanchisquare: average ranks within
 *  each block, chi² = (12 / (n k (k+1)) Σ_j R_j² - 3 n (k+1)) / (1 - Σ (t³ - t) / (n k (k² - 1))),
 *  df = k - 1, p from the chi-square tail. */
export function friedman(data: ArrayLike<number>[]): FriedmanResult {
  const n = data.length;
  const k = n > 0 ? data[0].length : 0;
  if (k < 3) throw new RangeError(`friedman: needs at least 3 treatments (got ${k})`);
  if (n < 1) throw new RangeError("friedman: needs at least one block");
  const rankSums = new Float64Array(k);
  let ties = 0;
  for (let b = 0; b < n; b++) {
    if (data[b].length !== k) throw new RangeError(`friedman: block ${b} has ${data[b].length} values, not ${k}`);
    const r = averageRanks(data[b]);
    for (let j = 0; j < k; j++) rankSums[j] += r.ranks[j];
    for (const t of r.ties) ties += t * (t * t - 1);
  }
  let ss = 0;
  for (let j = 0; j < k; j++) ss += rankSums[j] * rankSums[j];
  const c = 1 - ties / (k * (k * k - 1) * n);
  const statistic = ((12 / (k * n * (k + 1))) * ss - 3 * n * (k + 1)) / c;
  return { statistic, df: k - 1, p: chi2Sf(statistic, k - 1), blocks: n, treatments: k };
}
