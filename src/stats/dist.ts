// The distributions the tests need: Student's t, chi-square and the standard normal (CDFs, tails and
// quantiles), written here rather than pulled from a package so the stats layer stays dependency-free
// and portable. Algorithms: log-gamma by Lanczos (Godfrey's g = 7, n = 9 coefficients, as in Numerical
// Recipes 3rd ed. 6.1 / Boost); the regularised incomplete beta by its continued fraction (modified
// Lentz, NR 6.4); the regularised incomplete gamma by its series and continued fraction (NR 6.2);
// the normal quantile by Wichura's AS 241 (PPND16, 1988). test/stats/dist.test.ts holds every
// function to scipy.stats values (the exact scipy call beside each).

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function lgamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`lgamma: x must be > 0 (got ${x})`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x); // reflection
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-16;
const TINY = 1e-300;

/** Continued fraction of the incomplete beta (NR's betacf, modified Lentz). */
function betacf(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  throw new Error(`betacf: no convergence (a ${a}, b ${b}, x ${x})`);
}

/** The regularised incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1. */
export function incbeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`incbeta: a, b must be > 0 (got ${a}, ${b})`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`incbeta: x must be in [0, 1] (got ${x})`);
  if (x === 0 || x === 1) return x;
  const lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry beyond.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betacf(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betacf(b, a, 1 - x)) / b;
}

/** Regularised lower incomplete gamma P(a, x) and upper Q(a, x) = 1 - P, both computed directly on
 *  their accurate side (so a small tail is not lost to 1 - P). */
function incgamma(a: number, x: number): { p: number; q: number } {
  if (!(a > 0)) throw new RangeError(`incgamma: a must be > 0 (got ${a})`);
  if (!(x >= 0)) throw new RangeError(`incgamma: x must be >= 0 (got ${x})`);
  if (x === 0) return { p: 0, q: 1 };
  const lnFront = -x + a * Math.log(x) - lgamma(a);
  if (x < a + 1) {
    // series (NR gser)
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < 100000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) {
        const p = sum * Math.exp(lnFront);
        return { p, q: 1 - p };
      }
    }
    throw new Error(`incgamma: series did not converge (a ${a}, x ${x})`);
  }
  // continued fraction (NR gcf, modified Lentz)
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) {
      const q = Math.exp(lnFront) * h;
      return { p: 1 - q, q };
    }
  }
  throw new Error(`incgamma: fraction did not converge (a ${a}, x ${x})`);
}

/** Upper tail of the chi-square distribution with k degrees of freedom: P(X >= x). */
export function chi2Sf(x: number, k: number): number {
  if (!(k > 0)) throw new RangeError(`chi2Sf: degrees of freedom must be > 0 (got ${k})`);
  if (x <= 0) return 1;
  return incgamma(k / 2, x / 2).q;
}

/** Standard normal CDF Φ(z), through erfc(x) = Q(1/2, x²) so both tails keep full relative accuracy. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === 0) return 0.5;
  const tail = 0.5 * incgamma(0.5, (z * z) / 2).q; // P(Z > |z|)
  return z < 0 ? tail : 1 - tail;
}

/** Two-sided normal p-value P(|Z| >= |z|). */
export function normalTwoSided(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === 0) return 1;
  return incgamma(0.5, (z * z) / 2).q;
}

/** Standard normal quantile Φ⁻¹(p), 0 < p < 1 (Wichura 1988, AS 241 PPND16: about 1e-16 relative). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError(`normalQuantile: p must be in [0, 1] (got ${p})`);
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) *
          r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) *
        r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let val: number;
  if (r <= 5) {
    r -= 1.6;
    val =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) *
        r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    val =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) *
        r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -val : val;
}

/** Two-sided p of Student's t: P(|T| >= |t|) with df degrees of freedom = I_{df/(df+t²)}(df/2, 1/2). */
export function tTwoSided(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`tTwoSided: degrees of freedom must be > 0 (got ${df})`);
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return incbeta(df / (df + t * t), df / 2, 0.5);
}

/** Student's t CDF P(T <= t). */
export function tCdf(t: number, df: number): number {
  const half = tTwoSided(t, df) / 2;
  return t < 0 ? half : 1 - half;
}

/** Student's t quantile: the t with P(T <= t) = p. Bisection on the two-sided tail (monotone in |t|)
 *  to the last representable step, so the result is the same every run. */
export function tQuantile(p: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`tQuantile: degrees of freedom must be > 0 (got ${df})`);
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError(`tQuantile: p must be in [0, 1] (got ${p})`);
  }
  if (p === 0.5) return 0;
  const tail = 2 * Math.min(p, 1 - p); // two-sided tail mass beyond |t|
  let lo = 0;
  let hi = 1;
  while (tTwoSided(hi, df) > tail) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) break;
  }
  for (let i = 0; i < 2000; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (tTwoSided(mid, df) > tail) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  return p < 0.5 ? -t : t;
}
