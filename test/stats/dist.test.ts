import { suite } from "uvu";
import * as assert from "uvu/assert";
import { chi2Sf, lgamma, normalCdf, normalQuantile, tQuantile, tTwoSided } from "../../src/stats/dist.js";

// Every expected value is scipy 1.17.1's, the call beside it.
function rel(actual: number, expected: number, tol: number, what: string): void {
  const e = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(e <= tol, `${what}: ${actual} vs ${expected} (relative error ${e})`);
}

const d = suite("stats/dist");

d("log-gamma", () => {
  rel(lgamma(0.5), 0.5723649429247, 1e-13, "scipy.special.gammaln(0.5)");
  rel(lgamma(3.7), 1.428072326665388, 1e-13, "scipy.special.gammaln(3.7)");
  rel(lgamma(100.5), 361.43554046777757, 1e-13, "scipy.special.gammaln(100.5)");
  rel(lgamma(1e-3), 6.907178885383853, 1e-13, "scipy.special.gammaln(1e-3)");
});

d("Student's t: two-sided tails and 97.5% quantiles", () => {
  rel(tTwoSided(2.5, 7), 0.04099221858575289, 1e-12, "2*scipy.stats.t.sf(2.5, 7)");
  rel(tTwoSided(-0.3, 3), 0.783763292039919, 1e-12, "2*scipy.stats.t.sf(0.3, 3)");
  rel(tTwoSided(12, 4), 0.000276428548502973, 1e-11, "2*scipy.stats.t.sf(12.0, 4)");
  const want: [number, number][] = [
    [1, 12.706204736174694], // scipy.stats.t.ppf(0.975, 1)
    [2, 4.302652729749462], // scipy.stats.t.ppf(0.975, 2)
    [5, 2.5705818356363146], // scipy.stats.t.ppf(0.975, 5)
    [9, 2.262157162798205], // scipy.stats.t.ppf(0.975, 9)
    [29, 2.045229642132703], // scipy.stats.t.ppf(0.975, 29)
    [100, 1.9839715185235518], // scipy.stats.t.ppf(0.975, 100)
  ];
  for (const [df, q] of want) {
    rel(tQuantile(0.975, df), q, 1e-12, `t.ppf(0.975, ${df})`);
    rel(tQuantile(0.025, df), -q, 1e-12, `t.ppf(0.025, ${df})`);
  }
});

d("chi-square upper tail", () => {
  rel(chi2Sf(3.84, 1), 0.05004352124870519, 1e-12, "scipy.stats.chi2.sf(3.84, 1)");
  rel(chi2Sf(10.57142857142857, 2), 0.005063414171757498, 1e-12, "scipy.stats.chi2.sf(10.57142857142857, 2)");
  rel(chi2Sf(0.5, 5), 0.9921232932326296, 1e-12, "scipy.stats.chi2.sf(0.5, 5)");
  rel(chi2Sf(60, 12), 2.257348746396286e-8, 1e-11, "scipy.stats.chi2.sf(60, 12)");
});

d("standard normal: CDF (both tails) and quantile", () => {
  rel(normalCdf(-3), 0.0013498980316300933, 1e-12, "scipy.stats.norm.cdf(-3)");
  rel(normalCdf(1.2), 0.8849303297782918, 1e-13, "scipy.stats.norm.cdf(1.2)");
  rel(normalCdf(-9), 1.1285884059538324e-19, 1e-11, "scipy.stats.norm.cdf(-9)");
  rel(normalQuantile(0.975), 1.959963984540054, 1e-14, "scipy.stats.norm.ppf(0.975)");
  rel(normalQuantile(1e-10), -6.361340902404056, 1e-14, "scipy.stats.norm.ppf(1e-10)");
  rel(normalQuantile(0.3), -0.5244005127080409, 1e-14, "scipy.stats.norm.ppf(0.3)");
});

d("bad arguments name themselves", () => {
  assert.throws(() => tQuantile(0.5, 0), /degrees of freedom/);
  assert.throws(() => normalQuantile(1.5), /p must be in/);
  assert.throws(() => chi2Sf(1, -1), /degrees of freedom/);
});

d.run();
