import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore } from "../helpers.js";
import { withCoreRng, type Rng } from "../../src/core/rng.js";
import { Stream } from "../../src/core/streams.js";
import { bootstrapMean, pairedT, signFlip, wilcoxon } from "../../src/stats/paired.js";
import { mean } from "../../src/stats/basic.js";

function rel(actual: number, expected: number, tol: number, what: string): void {
  const e = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(e <= tol, `${what}: ${actual} vs ${expected} (relative error ${e})`);
}

// Student's sleep data (Cushny & Peebles 1905; R's `sleep`): extra sleep with drug 2 minus drug 1.
const SLEEP = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4];
// Hollander & Wolfe (1973, p. 29; R's ?wilcox.test example): x - y of the depression scale.
const HW_X = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
const HW_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
const HW = HW_X.map((x, i) => x - HW_Y[i]);

const t = suite("stats/paired t");

t("sleep data: t, p and the 95% t-interval (R: t = 4.0621, df = 9, p = 0.002833, CI 0.700 to 2.460)", () => {
  const r = pairedT(SLEEP);
  // r = scipy.stats.ttest_1samp(sleep, 0); r.confidence_interval(0.95)
  rel(r.t, 4.062127683382037, 1e-13, "t");
  rel(r.p, 0.002832890197384273, 1e-11, "p");
  rel(r.interval.lo, 0.7001142367230174, 1e-12, "ci low");
  rel(r.interval.hi, 2.4598857632769824, 1e-12, "ci high");
  assert.is(r.df, 9);
  assert.is(r.interval.method, "t");
});

t("constant differences and n < 2 give no test, not a number that looks like one", () => {
  assert.ok(Number.isNaN(pairedT([0.5]).p));
  assert.ok(Number.isNaN(pairedT([0, 0, 0]).p));
  assert.is(pairedT([1, 1, 1]).p, 0);
});

t.run();

const w = suite("stats/wilcoxon (scipy.stats.wilcoxon, method auto, correction=True)");

w("exact null distribution, small sample (Hollander & Wolfe)", () => {
  const r = wilcoxon(HW);
  assert.is(r.method, "exact");
  assert.is(r.statistic, 5); // scipy.stats.wilcoxon(x, y) -> statistic 5.0
  assert.is(r.wPlus, 40); // R: V = 40
  assert.is(r.p, 0.0390625); // scipy.stats.wilcoxon(x, y).pvalue (= 2 x R's one-sided 0.01953)
});

w("exact null distribution at n = 20, no ties", () => {
  const d = Array.from({ length: 20 }, (_, i) => ((i * 7 + 3) % 23) - 8.3);
  const r = wilcoxon(d);
  assert.is(r.method, "exact");
  assert.is(r.statistic, 64); // scipy.stats.wilcoxon([(i*7+3)%23 - 8.3 for i in range(20)])
  rel(r.p, 0.13272666931152344, 1e-14, "p");
});

w("ties and a zero at n <= 13: every sign pattern (sleep data)", () => {
  const r = wilcoxon(SLEEP);
  assert.is(r.method, "exact sign-flip");
  assert.is(r.statistic, 0); // scipy.stats.wilcoxon(sleep) -> (0.0, 0.00390625)
  assert.is(r.p, 0.00390625);
  const r12 = wilcoxon([0.5, -0.5, 1.5, 2, 2, -1, 3, 0, 4, 0.5, 2.5, 1]);
  assert.is(r12.statistic, 6.5); // scipy.stats.wilcoxon([0.5,-0.5,1.5,2,2,-1,3,0,4,0.5,2.5,1])
  assert.is(r12.p, 0.0166015625);
});

w("beyond: normal approximation with tie and continuity correction", () => {
  const big = Array.from({ length: 60 }, (_, i) => ((i * 37 + 11) % 101) / 10 - 4.0);
  const r = wilcoxon(big);
  assert.is(r.method, "normal");
  // scipy.stats.wilcoxon([((i*37+11)%101)/10 - 4.0 for i in range(60)], correction=True)
  assert.is(r.statistic, 551);
  rel(r.p, 0.011823876988160042, 1e-12, "p");
  const ties20 = [-4, 0, 3, -5, -2, 2, 6, -2, 1, 4, -4, 0, 4, -4, -1, 2, -6, -2, 2, 5];
  const r2 = wilcoxon(ties20);
  assert.is(r2.method, "normal");
  // scipy.stats.wilcoxon([-4, 0, 3, -5, -2, 2, 6, -2, 1, 4, -4, 0, 4, -4, -1, 2, -6, -2, 2, 5], correction=True)
  assert.is(r2.statistic, 84);
  rel(r2.p, 0.9650216587392895, 1e-12, "p");
});

w.run();

const s = suite("stats/sign-flip and bootstrap");

s("exact sign-flip p equals scipy's exact permutation test", () => {
  // scipy.stats.permutation_test((d,), np.mean, permutation_type='samples', n_resamples=np.inf).pvalue
  assert.is(signFlip(HW, null).p, 0.02734375);
  assert.is(signFlip(SLEEP, null).p, 0.00390625);
  assert.is(signFlip(SLEEP, null).method, "exact");
  assert.is(signFlip([1, 2, 3, 4, 5], null).p, 0.0625); // the two extreme patterns of 32: n = 5 cannot reach 0.05
});

s("Monte Carlo sign-flip: seeded, repeatable, close to the exact p", () => {
  const core = freshCore();
  const run = () =>
    withCoreRng(core, { seed: 1, purpose: Stream.TEST, a: 11 }, (rng) =>
      signFlip(HW, rng, { maxExact: 0, reps: 20000 }),
    );
  const a = run();
  const b = run();
  assert.is(a.method, "monte carlo");
  assert.is(a.p, b.p);
  // binomial sd of a 20000-draw estimate of 0.0273 is 0.00115: allow 4 sd
  assert.ok(Math.abs(a.p - 0.02734375) < 4 * 0.00115, `p ${a.p}`);
});

s("percentile bootstrap of the mean: seeded, brackets the mean, near the t-interval", () => {
  const core = freshCore();
  const ci = withCoreRng(core, { seed: 3, purpose: Stream.TEST, a: 12 }, (rng) => bootstrapMean(SLEEP, rng));
  const again = withCoreRng(core, { seed: 3, purpose: Stream.TEST, a: 12 }, (rng) => bootstrapMean(SLEEP, rng));
  assert.equal(ci, again);
  assert.is(ci.replicates, 9999);
  assert.ok(ci.lo < mean(SLEEP) && mean(SLEEP) < ci.hi);
  // the bootstrap interval of a mean is narrower than the t-interval by about sqrt((n-1)/n) t/z
  assert.ok(ci.lo > 0.7 && ci.lo < 1.3 && ci.hi > 1.9 && ci.hi < 2.7, `${ci.lo} .. ${ci.hi}`);
});

s.run();

/** Null simulation: symmetric paired differences with no effect; each test must reject at about
 *  alpha. n = 10 per replicate; 2000 seeded replicates; the exact tests (sign-flip, Wilcoxon) have
 *  discrete null distributions whose rejection rate at 0.05 is at most 0.05; the t-test's is 0.05. */
const nul = suite("stats/null simulation");

nul("no effect: rejection rates at alpha 0.05 stay within the binomial band", () => {
  const core = freshCore();
  const reps = 2000;
  const n = 10;
  const alpha = 0.05;
  const rejected = { t: 0, wilcoxon: 0, signFlip: 0 };
  withCoreRng(core, { seed: 2026, purpose: Stream.TEST, a: 13 }, (rng: Rng) => {
    const d = new Float64Array(n);
    for (let r = 0; r < reps; r++) {
      // the difference of two iid uniforms: symmetric about 0, continuous (no ties)
      for (let i = 0; i < n; i++) d[i] = rng.uniform() - rng.uniform();
      if (pairedT(d).p < alpha) rejected.t++;
      if (wilcoxon(d).p < alpha) rejected.wilcoxon++;
      if (signFlip(d, null).p < alpha) rejected.signFlip++;
    }
  });
  // band: alpha ± 3 binomial sd of a rate over 2000 replicates (sd = 0.00487). The exact tests'
  // true size at n = 10 is a little below alpha (their null distributions are discrete).
  const sdRate = Math.sqrt((alpha * (1 - alpha)) / reps);
  for (const [name, k] of Object.entries(rejected)) {
    const rate = k / reps;
    const msg = `${name}: rejection rate ${rate} outside ${alpha} ± ${3 * sdRate}`;
    assert.ok(Math.abs(rate - alpha) <= 3 * sdRate, msg);
  }
});

nul.run();
