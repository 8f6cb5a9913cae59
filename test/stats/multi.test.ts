import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore } from "../helpers.js";
import { withCoreRng } from "../../src/core/rng.js";
import { Stream } from "../../src/core/streams.js";
import { averageRanks, quantileSorted } from "../../src/stats/basic.js";
import { friedman, holm, spearman, spearmanTest } from "../../src/stats/multi.js";
import { minAttainableP, unitsNeeded } from "../../src/stats/power.js";

function rel(actual: number, expected: number, tol: number, what: string): void {
  const e = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(e <= tol, `${what}: ${actual} vs ${expected} (relative error ${e})`);
}

const b = suite("stats/basic");

b("average ranks with ties (scipy.stats.rankdata([3, 1, 4, 1, 5, 9, 2, 6, 5]))", () => {
  const r = averageRanks([3, 1, 4, 1, 5, 9, 2, 6, 5]);
  assert.equal(Array.from(r.ranks), [4, 1.5, 5, 1.5, 6.5, 9, 3, 8, 6.5]);
  assert.equal(r.ties, [2, 1, 1, 1, 2, 1, 1]);
});

b("type-7 quantile (numpy.percentile([1, 2, 4, 8], [2.5, 50, 97.5]) = [1.075, 3, 7.7])", () => {
  rel(quantileSorted([1, 2, 4, 8], 0.025), 1.075, 1e-15, "2.5%");
  assert.is(quantileSorted([1, 2, 4, 8], 0.5), 3);
  rel(quantileSorted([1, 2, 4, 8], 0.975), 7.7, 1e-15, "97.5%");
});

b.run();

const h = suite("stats/holm");

h("R's p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), 'holm') = 0.05 0.08 0.09 0.09 0.09, in any order", () => {
  // by hand: 5 x 0.01, 4 x 0.02, 3 x 0.03, then the running maximum (2 x 0.04 = 0.08 -> 0.09, 0.05 -> 0.09)
  const want = [0.05, 0.08, 0.09, 0.09, 0.09];
  holm([0.01, 0.02, 0.03, 0.04, 0.05]).forEach((v, i) => rel(v, want[i], 1e-15, `p${i}`));
  const shuffled = holm([0.04, 0.01, 0.05, 0.03, 0.02]);
  [0.09, 0.05, 0.09, 0.09, 0.08].forEach((v, i) => rel(shuffled[i], v, 1e-15, `shuffled p${i}`));
});

h("capped at 1; NaN stays NaN and does not count in m", () => {
  const r = holm([0.3, NaN, 0.6, 0.01]);
  rel(r[3], 0.03, 1e-15, "3 x 0.01");
  rel(r[0], 0.6, 1e-15, "2 x 0.3");
  assert.is(r[2], 0.6);
  assert.ok(Number.isNaN(r[1]));
  assert.equal(holm([0.5, 0.9]), [1, 1]);
});

h.run();

const s = suite("stats/spearman");

s("rho with ties equals scipy.stats.spearmanr", () => {
  // scipy.stats.spearmanr([1,2,2,3,4,4,4,5,7,6], [2,1,3,3,5,4,6,6,8,9]).statistic
  rel(spearman([1, 2, 2, 3, 4, 4, 4, 5, 7, 6], [2, 1, 3, 3, 5, 4, 6, 6, 8, 9]), 0.93812095999547, 1e-13, "rho");
});

s("exact permutation p with ties equals scipy's exact permutation test", () => {
  const x = [3, 1, 4, 1, 5, 9, 2, 6];
  const y = [2, 7, 1, 8, 2, 8, 1, 8];
  const r = spearmanTest(x, y, null);
  rel(r.rho, 0.19885368120992467, 1e-13, "scipy.stats.spearmanr(x, y).statistic");
  assert.is(r.method, "exact");
  assert.is(r.resamples, 40320);
  // scipy.stats.permutation_test((x,), lambda a: scipy.stats.spearmanr(a, y).statistic,
  //   permutation_type='pairings', n_resamples=np.inf).pvalue
  rel(r.p, 0.6309523809523809, 1e-13, "p");
});

s("Monte Carlo within strata: seeded and repeatable", () => {
  const core = freshCore();
  const x = Array.from({ length: 30 }, (_, i) => (i * 13) % 17);
  const y = x.map((v, i) => v + ((i * 7) % 5));
  const strata = x.map((_, i) => Math.floor(i / 5));
  const go = () =>
    withCoreRng(core, { seed: 5, purpose: Stream.TEST, a: 21 }, (rng) =>
      spearmanTest(x, y, rng, { strata, reps: 999 }),
    );
  const a = go();
  assert.equal(a, go());
  assert.is(a.method, "monte carlo");
  assert.is(a.p, 2 / 1000); // a strong association: no permutation of 999 reaches it (2 x (0 + 1) / 1000)
});

s.run();

const f = suite("stats/friedman");

f("scipy.stats.friedmanchisquare's documented example (heart rate before / after / 5 min after)", () => {
  const before = [72, 96, 88, 92, 74, 76, 82];
  const after = [120, 120, 132, 120, 101, 96, 112];
  const five = [76, 95, 104, 96, 84, 72, 76];
  const r = friedman(before.map((_, i) => [before[i], after[i], five[i]]));
  rel(r.statistic, 10.57142857142857, 1e-14, "statistic");
  rel(r.p, 0.005063414171757498, 1e-12, "p");
  assert.is(r.df, 2);
});

f("tie correction", () => {
  // scipy.stats.friedmanchisquare([1,2,2,3,1], [2,2,3,3,1], [3,1,3,2,2], [4,4,1,3,2])
  const cols = [
    [1, 2, 2, 3, 1],
    [2, 2, 3, 3, 1],
    [3, 1, 3, 2, 2],
    [4, 4, 1, 3, 2],
  ];
  const r = friedman(cols[0].map((_, i) => cols.map((c) => c[i])));
  rel(r.statistic, 2.2142857142857135, 1e-13, "statistic");
  rel(r.p, 0.5291400151917629, 1e-12, "p");
  assert.throws(() => friedman([[1, 2]]), /at least 3 treatments/);
});

f.run();

const p = suite("stats/power");

p("smallest attainable p and the n a test needs to reach p < 0.05", () => {
  assert.is(minAttainableP("sign-flip", 5), 0.0625);
  assert.is(unitsNeeded("sign-flip"), 6);
  assert.is(unitsNeeded("wilcoxon"), 6);
  assert.is(unitsNeeded("spearman"), 5); // 2/4! = 0.083, 2/5! = 0.0167
  assert.is(unitsNeeded("t"), 2);
  assert.is(unitsNeeded("sign-flip", 0.01), 8); // 2/128 = 0.0156, 2/256 = 0.0078
  // Holm over 36 tests: 36 x 2/2^10 = 0.0703, 36 x 2/2^11 = 0.0352
  assert.is(unitsNeeded("sign-flip", 0.05, 36), 11);
});

p.run();
